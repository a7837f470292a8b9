namespace RoostKeeper.Ha.Chaos.Sharding;

/// <summary>The faults a sharded run draws from.</summary>
internal enum ShardFaultKind
{
    /// <summary>A replica joins: one that left earlier starts again, or a new one is added (at most 2 more than the fleet's size).</summary>
    Join,

    /// <summary>A replica (the leader half the time) stops gracefully and stays away (at least 2 keep running).</summary>
    Leave,

    /// <summary>A replica (the leader half the time) is cut off and stopped without giving anything up; restarted after the hold.</summary>
    Crash,

    /// <summary>The leader (the election's) is cut off, reset or blackhole, for the hold.</summary>
    PartitionLeader,

    /// <summary>A follower is cut off, reset or blackhole, for the hold: it must stop its shards' work within RenewDeadline.</summary>
    PartitionMember,

    /// <summary>The next 1–8 requests of a replica fail with 500, 503 or 429.</summary>
    ApiErrors,

    /// <summary>Every request of a replica is delayed (up to RenewDeadline) for the hold.</summary>
    LatencySpike,

    /// <summary>A replica's connections, watches included, are dropped once.</summary>
    WatchDrop,

    /// <summary>A replica stops gracefully and starts again at once, as a new process.</summary>
    GracefulRestart,

    /// <summary>A replica whose shards' work stops slowly (20–80 % of the drain timeout) is restarted: it must drain before it releases.</summary>
    SlowStopRestart,
}
