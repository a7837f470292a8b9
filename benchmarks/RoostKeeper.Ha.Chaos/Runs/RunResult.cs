using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Chaos.Runs;

/// <summary>What one seeded run did and what its leadership timeline says.</summary>
/// <param name="Seed">The seed: <c>--replay Seed</c> runs the same fault schedule again.</param>
/// <param name="Timeline">Leadership from the first leader to the end of the run.</param>
/// <param name="Faults">The faults, in order, as described when injected.</param>
/// <param name="SlowRecoveries">Faults after which no leader came within the bound.</param>
/// <param name="Error">An exception that ended the run early (a harness or elector failure), if any.</param>
/// <param name="ReplicaFailures">Runs of a replica that ended with an exception other than on stop.</param>
internal sealed record RunResult(int Seed, LeadershipTimeline? Timeline, IReadOnlyList<string> Faults, IReadOnlyList<LeaderRecovery> SlowRecoveries, string? Error, int ReplicaFailures)
{
    public bool Overlapped => Timeline is { Overlaps.Count: > 0 };

    public bool Violated => Overlapped || SlowRecoveries.Count > 0 || Error is not null || ReplicaFailures > 0;
}
