using RoostKeeper.Ha.Chaos.Fleet;

namespace RoostKeeper.Ha.Chaos.Sharding;

/// <summary>What a campaign of sharded runs does.</summary>
/// <param name="Replicas">Replicas running at the start of a run (joins and leaves change it by up to 2 either way).</param>
/// <param name="Shards">The shard count.</param>
/// <param name="Runs">How many runs.</param>
/// <param name="Seed">The first run's seed; run i uses Seed + i.</param>
/// <param name="Concurrency">How many runs at once, each on its own SimulatedCluster.</param>
/// <param name="FaultsPerRun">How many faults each run injects, one after the other.</param>
/// <param name="ClockRateError">Each replica's clock runs at a rate drawn from 1 ± this.</param>
/// <param name="Timings">The election timings (the membership Leases use the same).</param>
/// <param name="DrainTimeout">How long a moving shard's work may take to stop.</param>
/// <param name="Slack">Added to the bounds, for scheduling on a loaded machine.</param>
/// <param name="Kinds">The faults to draw from; null for all.</param>
internal sealed record ShardChaosSettings(
    int Replicas,
    int Shards,
    int Runs,
    int Seed,
    int Concurrency,
    int FaultsPerRun,
    double ClockRateError,
    ElectionTimings Timings,
    TimeSpan DrainTimeout,
    TimeSpan Slack,
    IReadOnlyList<ShardFaultKind>? Kinds = null)
{
    public static ShardChaosSettings Default { get; } = new(3, 16, 500, 1, 12, 3, 0.02, ElectionTimings.Short, TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(500));

    /// <summary>
    /// Every shard held again after a heal within LeaseDuration + RetryPeriod on the slowest clock allowed, plus
    /// the slack: a dead holder's shards are cleared LeaseDuration after its last renewal was seen, and the fault
    /// healed after that renewal.
    /// </summary>
    public TimeSpan OwnedBound => (Timings.LeaderBound / (1 - ClockRateError)) + Slack;

    /// <summary>Balanced (max − min ≤ 1 over the live replicas) within a few RetryPeriods after every shard is held again.</summary>
    public TimeSpan BalanceBound => OwnedBound + (Timings.RetryPeriod * 4);
}
