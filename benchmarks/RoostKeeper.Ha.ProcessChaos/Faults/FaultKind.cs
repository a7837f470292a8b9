namespace RoostKeeper.Ha.ProcessChaos.Faults;

/// <summary>The faults the process-level runner injects.</summary>
internal enum FaultKind
{
    /// <summary>SIGKILL, then a new process with the same identity.</summary>
    Kill,

    /// <summary>SIGSTOP for 0.1–3 × LeaseDuration, then SIGCONT (on the leader half the time).</summary>
    Pause,

    /// <summary>SIGTERM (graceful: the Lease is released), then a new process.</summary>
    Restart,

    /// <summary>Every connection of the replica reset, for a while.</summary>
    Reset,

    /// <summary>The replica's traffic dropped, for a while.</summary>
    Blackhole,

    /// <summary>Every chunk of the replica's traffic held for a while before it is forwarded.</summary>
    Latency,

    /// <summary>The replica's traffic throttled to a few KB/s.</summary>
    Bandwidth,
}
