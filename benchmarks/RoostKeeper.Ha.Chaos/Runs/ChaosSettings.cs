using RoostKeeper.Ha.Chaos.Faults;
using RoostKeeper.Ha.Chaos.Fleet;

namespace RoostKeeper.Ha.Chaos.Runs;

/// <summary>What a campaign of runs does.</summary>
/// <param name="Replicas">Replicas per run, ours and theirs together.</param>
/// <param name="Theirs">How many of them run KubernetesClient's LeaderElector (a mixed fleet); 0 for ours only.</param>
/// <param name="Runs">How many runs.</param>
/// <param name="Seed">The first run's seed; run i uses Seed + i.</param>
/// <param name="Concurrency">How many runs at once, each on its own SimulatedCluster.</param>
/// <param name="FaultsPerRun">How many faults each run injects, one after the other.</param>
/// <param name="ClockRateError">Each of our replicas' clocks runs at a rate drawn from 1 ± this (0.02 = ±2 %).</param>
/// <param name="Timings">The election timings.</param>
/// <param name="Slack">Added to the protocol bound on the time to a leader, for scheduling on a loaded machine.</param>
/// <param name="Kinds">The faults to draw from; null for all.</param>
internal sealed record ChaosSettings(
    int Replicas,
    int Theirs,
    int Runs,
    int Seed,
    int Concurrency,
    int FaultsPerRun,
    double ClockRateError,
    ElectionTimings Timings,
    TimeSpan Slack,
    IReadOnlyList<FaultKind>? Kinds = null)
{
    public static ChaosSettings Default { get; } = new(3, 0, 500, 1, 12, 3, 0.02, ElectionTimings.Short, TimeSpan.FromMilliseconds(500));

    public int Ours => Replicas - Theirs;

    /// <summary>
    /// The time to a leader that counts as a violation, on the recorder's (real) clock: LeaseDuration +
    /// RetryPeriod as measured by the slowest clock allowed, plus <see cref="Slack"/>.
    /// </summary>
    public TimeSpan LeaderBound => (Timings.LeaderBound / (1 - ClockRateError)) + Slack;
}
