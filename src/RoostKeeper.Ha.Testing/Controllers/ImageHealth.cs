namespace RoostKeeper.Ha.Testing;

/// <summary>How the simulated kubelet runs pods of an image.</summary>
public enum ImageHealth
{
    /// <summary>Pods start, then become ready.</summary>
    Healthy,

    /// <summary>Containers exit over and over: restartCount grows, the state is waiting with reason CrashLoopBackOff.</summary>
    CrashLooping,

    /// <summary>Containers run but the readiness probe never passes.</summary>
    NeverReady,
}
