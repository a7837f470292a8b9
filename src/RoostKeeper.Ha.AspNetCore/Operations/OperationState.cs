namespace RoostKeeper.Ha.AspNetCore.Operations;

/// <summary>Where an operation is. Running is the only state that changes.</summary>
internal enum OperationState
{
    /// <summary>Started and not finished.</summary>
    Running,

    /// <summary>Finished; <c>result</c> holds what it produced.</summary>
    Succeeded,

    /// <summary>Finished with an error (<c>error</c>), or a restore with failed objects (<c>result</c> lists them).</summary>
    Failed,

    /// <summary>Stopped before it finished: this replica stopped leading, or shut down.</summary>
    Cancelled,
}
