namespace RoostKeeper.Ha.Chaos.Faults;

/// <summary>The faults a run draws from.</summary>
internal enum FaultKind
{
    /// <summary>The next 1–8 requests of a replica fail with 500, 503 or 429.</summary>
    ApiErrors,

    /// <summary>Every request of a replica is delayed (up to RenewDeadline) for a while.</summary>
    LatencySpike,

    /// <summary>The leader is cut off; its requests fail at once (connection reset).</summary>
    PartitionLeaderReset,

    /// <summary>The leader is cut off; its requests hang (packets dropped).</summary>
    PartitionLeaderBlackhole,

    /// <summary>A follower is cut off, reset or blackhole.</summary>
    PartitionFollower,

    /// <summary>A replica's connections, watches included, are dropped once.</summary>
    WatchDrop,

    /// <summary>The server forgets its watch history and drops a replica's watch: it resumes into 410 Gone.</summary>
    WatchGone,

    /// <summary>Another client keeps editing the Lease's labels and annotations.</summary>
    LeaseEdits,

    /// <summary>A replica (the leader half the time) stops gracefully and starts again as a new process.</summary>
    GracefulRestart,

    /// <summary>A replica (the leader half the time) dies without releasing; it comes back later.</summary>
    Crash,

    /// <summary>The leader's leader-only work throws.</summary>
    LeaderWorkThrows,

    /// <summary>The leader's work stops slowly (within StopLeadingTimeout) and the leader is restarted.</summary>
    SlowStopRestart,

    /// <summary>Every replica is restarted, one after the other.</summary>
    RollingRestart,
}
