namespace RoostKeeper.Ha.Chaos.Sharding;

/// <summary>After one healed fault: how long until every shard was held again, and until the shards were balanced.</summary>
/// <param name="Fault">The fault, as described when injected.</param>
/// <param name="InjectedAt">When it was injected (recorder time).</param>
/// <param name="HealedAt">When it healed.</param>
/// <param name="TimeToOwned">From the heal to every shard held by a live replica; null if not within twice the bound.</param>
/// <param name="TimeToBalanced">From the heal to balanced (max − min ≤ 1 over the live replicas); null if not within twice the bound.</param>
internal sealed record ShardRecovery(string Fault, TimeSpan InjectedAt, TimeSpan HealedAt, TimeSpan? TimeToOwned, TimeSpan? TimeToBalanced)
{
    public string Kind => Fault.Split(':')[0];
}

/// <summary>What one seeded sharded run did and what its shard intervals say.</summary>
/// <param name="Seed">The seed: <c>--sharded --replay Seed</c> runs the same fault schedule again.</param>
/// <param name="Faults">The faults, in order, as described when injected.</param>
/// <param name="Recoveries">One per fault.</param>
/// <param name="Overlaps">Intervals of one shard that overlapped, each from the callback to the return of its work (ShardOwnershipRecorder; must be none).</param>
/// <param name="TokenOverlaps">The same, each interval ending when its token was cancelled (what the liveness guard bounds; must be none).</param>
/// <param name="Observed">From the first balanced moment to the end of the run.</param>
/// <param name="UnownedShardTime">The sum over shards of the time nobody worked on them, over <paramref name="Observed"/>.</param>
/// <param name="Acquisitions">Shard intervals begun after the first balanced moment (moves).</param>
/// <param name="SlowOwned">Recoveries whose time to every shard held exceeded the bound.</param>
/// <param name="SlowBalanced">Recoveries whose time to balanced exceeded its bound.</param>
/// <param name="Error">An exception that ended the run early, if any.</param>
/// <param name="ReplicaFailures">Runs of a replica that ended with an exception other than on stop, with the first one's message.</param>
internal sealed record ShardRunResult(
    int Seed,
    IReadOnlyList<string> Faults,
    IReadOnlyList<ShardRecovery> Recoveries,
    IReadOnlyList<ShardOverlap> Overlaps,
    IReadOnlyList<ShardOverlap> TokenOverlaps,
    TimeSpan Observed,
    TimeSpan UnownedShardTime,
    int Acquisitions,
    IReadOnlyList<ShardRecovery> SlowOwned,
    IReadOnlyList<ShardRecovery> SlowBalanced,
    string? Error,
    int ReplicaFailures,
    string? ReplicaFailure)
{
    public bool Violated => Overlaps.Count > 0 || TokenOverlaps.Count > 0 || SlowOwned.Count > 0 || SlowBalanced.Count > 0 || Error is not null || ReplicaFailures > 0;
}
