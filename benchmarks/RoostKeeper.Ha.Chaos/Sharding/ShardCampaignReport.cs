using System.Globalization;
using RoostKeeper.Ha.Chaos.Runs;

namespace RoostKeeper.Ha.Chaos.Sharding;

/// <summary>The figures of a sharded campaign, as Markdown, with the seeds of every violation.</summary>
internal static class ShardCampaignReport
{
    public static void Write(TextWriter output, ShardChaosSettings settings, IReadOnlyList<ShardRunResult> results, TimeSpan wallTime)
    {
        var completed = results.Where(r => r.Error is null).ToList();
        var recoveries = completed.SelectMany(r => r.Recoveries).ToList();
        var owned = recoveries.Select(r => r.TimeToOwned ?? TimeSpan.MaxValue).Order().ToList();
        var balanced = recoveries.Select(r => r.TimeToBalanced ?? TimeSpan.MaxValue).Order().ToList();
        var observed = completed.Aggregate(TimeSpan.Zero, (sum, r) => sum + r.Observed);
        var unowned = completed.Aggregate(TimeSpan.Zero, (sum, r) => sum + r.UnownedShardTime);
        var overlaps = results.SelectMany(r => r.Overlaps).ToList();
        var tokenOverlaps = results.SelectMany(r => r.TokenOverlaps).ToList();

        output.WriteLine($"### Sharded leadership, {settings.Replicas} replicas, {settings.Shards} shards: {results.Count} runs, seeds {settings.Seed}–{settings.Seed + settings.Runs - 1}");
        output.WriteLine();
        output.WriteLine(Invariant($"Timings: {settings.Timings}, DrainTimeout {settings.DrainTimeout.TotalSeconds:0.###} s. Clock rates: 1 ± {settings.ClockRateError:0.###}. {settings.FaultsPerRun} faults per run. Bounds after a heal: every shard held within (LeaseDuration + RetryPeriod) / (1 − {settings.ClockRateError:0.###}) + {settings.Slack.TotalMilliseconds:0} ms slack = {settings.OwnedBound.TotalMilliseconds:0} ms; balanced (max − min ≤ 1 over the live replicas) within that + 4 × RetryPeriod = {settings.BalanceBound.TotalMilliseconds:0} ms."));
        if (settings.Kinds is { Count: > 0 } kinds)
        {
            output.WriteLine();
            output.WriteLine($"Faults drawn only from: {string.Join(", ", kinds)}.");
        }

        output.WriteLine();
        output.WriteLine("| Measure | Value |");
        output.WriteLine("|---|---|");
        output.WriteLine(Invariant($"| Runs completed / ended by an error | {completed.Count} / {results.Count - completed.Count} |"));
        output.WriteLine(Invariant($"| Observed time (from each run's first balanced moment) | {observed.TotalMinutes:0.0} min |"));
        output.WriteLine(Invariant($"| Overlapping intervals of one shard, work from the callback to its return (runs affected) | **{overlaps.Count}** ({results.Count(r => r.Overlaps.Count > 0)}) |"));
        output.WriteLine(Invariant($"| Longest overlap | {(overlaps.Count == 0 ? "—" : Ms(overlaps.Max(o => o.Duration)))} |"));
        output.WriteLine(Invariant($"| Overlapping intervals of one shard, from the callback to the token's cancellation (runs affected) | **{tokenOverlaps.Count}** ({results.Count(r => r.TokenOverlaps.Count > 0)}) |"));
        output.WriteLine(Invariant($"| Shard time without an owner (of shards × observed time) | {unowned.TotalSeconds:0.0} s ({(observed > TimeSpan.Zero ? unowned / (observed * settings.Shards) * 100 : 0):0.00} %) |"));
        output.WriteLine(Invariant($"| Shard acquisitions after settling (total; per run, median) | {completed.Sum(r => r.Acquisitions)}; {ReportFigures.Median(completed.Select(r => (double)r.Acquisitions)):0} |"));
        output.WriteLine(Invariant($"| Faults healed | {recoveries.Count} |"));
        output.WriteLine(Invariant($"| Time to every shard held after a heal: median / p99 / max | {ReportFigures.Percentile(owned, 0.5, "never")} / {ReportFigures.Percentile(owned, 0.99, "never")} / {ReportFigures.Percentile(owned, 1, "never")} |"));
        output.WriteLine(Invariant($"| Heals followed by every shard held within the bound | {recoveries.Count(r => r.TimeToOwned <= settings.OwnedBound)} of {recoveries.Count} |"));
        output.WriteLine(Invariant($"| Time to balanced after a heal: median / p99 / max | {ReportFigures.Percentile(balanced, 0.5, "never")} / {ReportFigures.Percentile(balanced, 0.99, "never")} / {ReportFigures.Percentile(balanced, 1, "never")} |"));
        output.WriteLine(Invariant($"| Heals followed by balance within the bound | {recoveries.Count(r => r.TimeToBalanced <= settings.BalanceBound)} of {recoveries.Count} |"));
        output.WriteLine(Invariant($"| Replica runs that failed (not on stop) | {results.Sum(r => r.ReplicaFailures)} |"));
        output.WriteLine(Invariant($"| Wall time | {wallTime.TotalMinutes:0.0} min ({settings.Concurrency} runs at once) |"));
        output.WriteLine();

        if (recoveries.Count > 0)
        {
            output.WriteLine("| Fault (kind) | Injected and healed | Time to every shard held after the heal: median / max | Time to balanced after the heal: median / max |");
            output.WriteLine("|---|---|---|---|");
            foreach (var group in recoveries.GroupBy(r => r.Kind).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var o = group.Select(r => r.TimeToOwned ?? TimeSpan.MaxValue).Order().ToList();
                var b = group.Select(r => r.TimeToBalanced ?? TimeSpan.MaxValue).Order().ToList();
                output.WriteLine(Invariant($"| {group.Key} | {group.Count()} | {ReportFigures.Percentile(o, 0.5, "never")} / {ReportFigures.Percentile(o, 1, "never")} | {ReportFigures.Percentile(b, 0.5, "never")} / {ReportFigures.Percentile(b, 1, "never")} |"));
            }

            output.WriteLine();
        }

        foreach (var run in completed.Where(r => r.Recoveries.Count > 0).OrderByDescending(r => r.Recoveries.Max(x => x.TimeToBalanced ?? TimeSpan.MaxValue)).Take(3))
        {
            var worst = run.Recoveries.MaxBy(x => x.TimeToBalanced ?? TimeSpan.MaxValue)!;
            output.WriteLine(Invariant($"- Slowest to balance: {Ms(worst.TimeToBalanced)} after \"{worst.Fault}\": seed {run.Seed}, faults: {string.Join("; ", run.Faults)}"));
        }

        output.WriteLine();
        var violations = results.Where(r => r.Violated).ToList();
        if (violations.Count == 0)
        {
            output.WriteLine("No violations.");
            return;
        }

        output.WriteLine($"Violations ({violations.Count} runs; replay one with `--sharded --replay SEED` and the same options):");
        output.WriteLine();
        foreach (var run in violations.Take(40))
        {
            foreach (var overlap in run.Overlaps)
            {
                output.WriteLine(Invariant($"- seed {run.Seed}: shard {overlap.First.Shard} work overlap {Ms(overlap.Duration)}: {Describe(overlap.First)} and {Describe(overlap.Second)}"));
            }

            foreach (var overlap in run.TokenOverlaps)
            {
                output.WriteLine(Invariant($"- seed {run.Seed}: shard {overlap.First.Shard} token overlap {Ms(overlap.Duration)}: {Describe(overlap.First)} and {Describe(overlap.Second)}"));
            }

            foreach (var slow in run.SlowOwned)
            {
                output.WriteLine(Invariant($"- seed {run.Seed}: every shard held {Ms(slow.TimeToOwned)} after \"{slow.Fault}\" (healed at {slow.HealedAt.TotalSeconds:0.000} s)"));
            }

            foreach (var slow in run.SlowBalanced.Except(run.SlowOwned))
            {
                output.WriteLine(Invariant($"- seed {run.Seed}: balanced {Ms(slow.TimeToBalanced)} after \"{slow.Fault}\" (healed at {slow.HealedAt.TotalSeconds:0.000} s)"));
            }

            if (run.Error is not null)
            {
                output.WriteLine($"- seed {run.Seed}: run ended by {run.Error}");
            }

            if (run.ReplicaFailures > 0)
            {
                output.WriteLine($"- seed {run.Seed}: {run.ReplicaFailures} replica run(s) failed ({run.ReplicaFailure})");
            }
        }

        if (violations.Count > 40)
        {
            output.WriteLine($"- … and {violations.Count - 40} more runs");
        }
    }

    public static string Describe(ShardInterval interval) =>
        Invariant($"{interval.Replica} term {interval.Term} {interval.Start.TotalSeconds:0.000}–{(interval.End is { } end ? end.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture) : "end")} s{(interval.Cancelled is { } c ? $" (token cancelled {c.TotalSeconds:0.000} s)" : "")}");

    private static string Ms(TimeSpan? span) => span is { } s ? Invariant($"{s.TotalMilliseconds:0} ms") : "never";

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
