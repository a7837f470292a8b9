namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>What <see cref="RolloutStatusEvaluator"/> concluded, in kubectl's terms.</summary>
internal enum RolloutState
{
    /// <summary>Still rolling out (kubectl keeps waiting).</summary>
    Waiting,

    /// <summary>"successfully rolled out": every replica updated and available, no old replica left.</summary>
    Complete,

    /// <summary>The Progressing condition says ProgressDeadlineExceeded (kubectl exits with an error).</summary>
    DeadlineExceeded,

    /// <summary>The Deployment moved to another revision than the one waited for (kubectl's --revision check).</summary>
    RevisionChanged,
}
