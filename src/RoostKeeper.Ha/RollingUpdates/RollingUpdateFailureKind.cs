namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>Why a rolling update did not succeed.</summary>
public enum RollingUpdateFailureKind
{
    /// <summary>It did not fail.</summary>
    None,

    /// <summary>A new pod's container is in CrashLoopBackOff or restarted as often as <see cref="RollingUpdateOptions.MaxRestarts"/>.</summary>
    CrashLoop,

    /// <summary>A new pod's image cannot be pulled or its container cannot be created (ErrImagePull, ImagePullBackOff, InvalidImageName, CreateContainerConfigError, …).</summary>
    ImagePullError,

    /// <summary>A new pod ran but was not ready within <see cref="RollingUpdateOptions.ReadinessTimeout"/>.</summary>
    NeverReady,

    /// <summary>A new pod's phase became Failed.</summary>
    PodFailed,

    /// <summary>The Deployment's Progressing condition reported ProgressDeadlineExceeded (kubectl's failure).</summary>
    ProgressDeadlineExceeded,

    /// <summary>The caller's verification returned false or threw.</summary>
    VerificationFailed,

    /// <summary>The rollout did not complete within <see cref="RollingUpdateOptions.Timeout"/>.</summary>
    TimedOut,

    /// <summary>The caller cancelled the update.</summary>
    Cancelled,

    /// <summary>The Kubernetes API refused a call the update needed (not a transient failure).</summary>
    ApiError,
}
