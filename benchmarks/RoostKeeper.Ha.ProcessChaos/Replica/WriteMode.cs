namespace RoostKeeper.Ha.ProcessChaos.Replica;

/// <summary>How a replica writes the controller's objects: the two halves of the fence, together or apart.</summary>
internal enum WriteMode
{
    /// <summary>Through <c>TermFence</c>: the stamp check before the write and the resourceVersion precondition.</summary>
    Fenced,

    /// <summary>The control: no check and an unconditional update (last writer wins).</summary>
    Unfenced,

    /// <summary>The resourceVersion precondition only (what a plain client-go Update does): no stamp check.</summary>
    PreconditionOnly,

    /// <summary>The stamp check only, with an unconditional update.</summary>
    CheckOnly,
}
