namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>When the caller's verification runs.</summary>
public enum VerificationStage
{
    /// <summary>Canary mode: the first new pod is ready and the rollout is held (paused).</summary>
    Canary,

    /// <summary>The rollout is complete: every replica runs the new template and is available.</summary>
    Complete,
}
