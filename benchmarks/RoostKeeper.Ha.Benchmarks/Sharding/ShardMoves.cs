using RoostKeeper.Ha.Chaos.Fleet;
using RoostKeeper.Ha.Chaos.Sharding;
using static RoostKeeper.Ha.Benchmarks.Sharding.ShardingRunner;

namespace RoostKeeper.Ha.Benchmarks.Sharding;

/// <summary>
/// How shards move, at the default timings with the reconcile workload running: a crash (no release) of a
/// follower and of the leader among 3 replicas, a graceful leave of each, and a 4th replica joining 3. Times are
/// read from the ShardIntervalRecorder: a shard is unowned from the end of its old holder's work (for a crash:
/// the crash) to the start of its new holder's.
/// </summary>
internal sealed class ShardMoves(ShardingSettings settings)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private enum Scenario
    {
        CrashFollower,
        CrashLeader,
        LeaveFollower,
        LeaveLeader,
        Join,
    }

    public async Task<bool> RunAsync(TextWriter output)
    {
        var timings = ElectionTimings.Default;
        var crashBound = timings.LeaseDuration + timings.RetryPeriod;
        var missed = false;
        var rows = new List<string>();
        foreach (var scenario in Enum.GetValues<Scenario>())
        {
            var moves = new List<Move>();
            for (var run = 0; run < settings.Runs; run++)
            {
                moves.Add(await RunAsync(scenario, timings));
            }

            var gaps = moves.SelectMany(m => m.Gaps).Order().ToList();
            var totals = moves.Select(m => m.Total).Order().ToList();
            var perShard = moves.Where(m => m.Moved > 0).Select(m => m.Total / m.Moved).Order().ToList();
            var fractions = moves.Select(m => m.KeyFraction).ToList();
            var crash = scenario is Scenario.CrashFollower or Scenario.CrashLeader;
            var target = scenario switch
            {
                Scenario.CrashFollower or Scenario.CrashLeader => Invariant($"longest unowned ≤ {crashBound.TotalSeconds:0} s: {(gaps.Count > 0 && gaps[^1] <= crashBound ? "met" : "**missed**")}; keys without owner ≤ 1/3: {(fractions.Max() <= 1.0 / 3 ? "met" : $"**{fractions.Max():P1}**")}"),
                Scenario.LeaveFollower or Scenario.LeaveLeader => Invariant($"≤ 50 ms per shard moved: {(perShard.Count > 0 && perShard[^1] <= TimeSpan.FromMilliseconds(50) ? "met" : "**missed**")}"),
                _ => Invariant($"about N/4 = {settings.Shards / 4} moved"),
            };
            missed |= scenario is Scenario.CrashFollower or Scenario.CrashLeader && (gaps.Count == 0 || gaps[^1] > crashBound);
            missed |= scenario is Scenario.LeaveFollower or Scenario.LeaveLeader && (perShard.Count == 0 || perShard[^1] > TimeSpan.FromMilliseconds(50));
            missed |= moves.Any(m => m.Doubles > 0 || m.Overlaps > 0);
            rows.Add(Invariant($"| {Describe(scenario)} | {string.Join(", ", moves.Select(m => m.Moved))} | {string.Join(", ", fractions.Select(f => f.ToString("P1", System.Globalization.CultureInfo.InvariantCulture)))} | {Ms(Percentile(gaps, 0.5))} / {Ms(Percentile(gaps, 1))} | {Ms(Percentile(totals, 0.5))} / {Ms(Percentile(totals, 1))} | {(crash ? "—" : $"{Ms(Percentile(perShard, 0.5))} / {Ms(Percentile(perShard, 1))}")} | {moves.Sum(m => m.Overlaps)} / {moves.Sum(m => m.Doubles)} | {target} |"));
        }

        await output.WriteLineAsync(Invariant($"### Shard moves: 3 replicas, {settings.Shards} shards, {settings.Runs} runs per scenario (a fresh cluster each), reconcile workload running"));
        await output.WriteLineAsync();
        await output.WriteLineAsync("| Scenario | Shards moved (per run) | Keys whose shard moved (per run) | Each moved shard unowned: median / max | Whole move (from the event to every moved shard held again): median / max | Whole move per shard moved: median / max | Overlapping shard intervals / keys reconciled twice at once | Target |");
        await output.WriteLineAsync("|---|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            await output.WriteLineAsync(row);
        }

        await output.WriteLineAsync();
        return missed;
    }

    private static string Describe(Scenario scenario) => scenario switch
    {
        Scenario.CrashFollower => "crash of a follower (no release)",
        Scenario.CrashLeader => "crash of the leader (no release)",
        Scenario.LeaveFollower => "graceful leave of a follower",
        Scenario.LeaveLeader => "graceful leave of the leader",
        _ => "a 4th replica joins",
    };

    private async Task<Move> RunAsync(Scenario scenario, ElectionTimings timings)
    {
        await Console.Error.WriteLineAsync($"moves: {scenario}: starting");
        var workload = new ReconcileWorkload(settings.Keys, settings.Io, settings.Workers);
        await using var fleet = await WorkingFleet.StartAsync(3, sharded: true, settings, workload, timings);
        await fleet.WaitReadyAsync(Patience);

        // A few renewals, so every replica has a liveness history before the event.
        await Task.Delay(timings.RetryPeriod * 2);
        var shards = fleet.Fleet.Shards;
        var before = shards.HoldersNow();
        var leader = fleet.Fleet.Leader;
        var ownership = fleet.Fleet.Live.Select(r => r.Ownership).First(o => o is not null)!;
        ShardedReplica? victim = scenario switch
        {
            Scenario.CrashLeader or Scenario.LeaveLeader => leader,
            Scenario.Join => null,
            _ => fleet.Fleet.Replicas.First(r => r != leader),
        };

        var start = shards.Now;
        switch (scenario)
        {
            case Scenario.CrashFollower or Scenario.CrashLeader:
                await victim!.CrashAsync(fleet.Fleet.Cluster.Faults);
                break;
            case Scenario.LeaveFollower or Scenario.LeaveLeader:
                await victim!.StopAsync();
                break;
            default:
                fleet.Start(fleet.Fleet.Add());
                break;
        }

        var settled = await shards.WaitUntilAsync(s => ShardedFleet.Balanced(s, fleet.Fleet.Live.Select(r => r.Name).ToList()), Patience);
        var settledAt = shards.Now;
        if (!settled)
        {
            await Console.Error.WriteLineAsync($"moves: {scenario}: not balanced within {Patience.TotalSeconds:0} s: [{string.Join(", ", shards.HoldersNow().Select(h => h ?? "-"))}]");
        }

        var after = shards.HoldersNow();
        var moved = Enumerable.Range(0, shards.Shards).Where(s => before[s] != after[s]).ToList();
        var intervals = shards.Intervals();
        var gaps = new List<TimeSpan>();
        var last = start;
        foreach (var s in moved)
        {
            var old = intervals.Where(i => i.Shard == s && i.Replica == before[s] && i.Start < start).MaxBy(i => i.Start);
            var next = intervals.Where(i => i.Shard == s && i.Start >= start && i.Replica != before[s]).MinBy(i => i.Start);
            if (next is null)
            {
                gaps.Add(Patience);
                continue;
            }

            // After a crash the old holder's work ended with the process; otherwise when it drained.
            var freed = scenario is Scenario.CrashFollower or Scenario.CrashLeader ? start : old?.End ?? start;
            gaps.Add(next.Start - freed);
            last = next.Start > last ? next.Start : last;
        }

        var movedSet = moved.ToHashSet();
        var keyFraction = (double)workload.Keys.Count(k => movedSet.Contains(ownership.ShardOf(k))) / workload.Keys.Count;
        var total = settled ? last - start : Patience;
        await Console.Error.WriteLineAsync(Invariant($"moves: {scenario}: {moved.Count} moved, unowned max {Ms(gaps.DefaultIfEmpty().Max())}, whole move {Ms(total)} (balanced at {Ms(settledAt - start)})"));
        return new Move(moved.Count, gaps, total, keyFraction, fleet.Fleet.Overlaps().Count, workload.Doubles);
    }

    private static TimeSpan Percentile(IReadOnlyList<TimeSpan> sorted, double p) =>
        sorted.Count == 0 ? TimeSpan.Zero : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static string Ms(TimeSpan span) => Invariant($"{span.TotalMilliseconds:0} ms");

    private sealed record Move(int Moved, IReadOnlyList<TimeSpan> Gaps, TimeSpan Total, double KeyFraction, int Overlaps, long Doubles);
}
