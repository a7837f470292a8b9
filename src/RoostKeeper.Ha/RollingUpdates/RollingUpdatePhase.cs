namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>Where a rolling update is. The last four are final.</summary>
public enum RollingUpdatePhase
{
    /// <summary>Checking the Deployment, the image references, the strategy and PodDisruptionBudgets.</summary>
    Validating,

    /// <summary>The new template is applied and the rollout is followed.</summary>
    Updating,

    /// <summary>Canary mode: held after the first new pod became ready while the caller's verification runs.</summary>
    Canary,

    /// <summary>The rollout completed; the caller's verification runs.</summary>
    Verifying,

    /// <summary>A failure was detected; the previous revision is being restored.</summary>
    RollingBack,

    /// <summary>Final: every replica runs the new template, available and verified.</summary>
    Succeeded,

    /// <summary>Final: the update failed and the previous revision is back, complete and available.</summary>
    RolledBack,

    /// <summary>Final: the update failed and was left as it is (rollback off), or the rollback itself failed.</summary>
    Failed,

    /// <summary>Final: the update ran past <see cref="RollingUpdateOptions.Timeout"/> with rollback off, and was left as it is.</summary>
    TimedOut,
}
