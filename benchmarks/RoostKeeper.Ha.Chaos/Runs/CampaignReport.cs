using System.Globalization;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Chaos.Runs;

/// <summary>The figures of a campaign, as a Markdown table with the seeds of every violation.</summary>
internal static class CampaignReport
{
    public static void Write(TextWriter output, ChaosSettings settings, IReadOnlyList<RunResult> results, TimeSpan wallTime)
    {
        var timelines = results.Where(r => r.Timeline is not null).Select(r => r.Timeline!).ToList();
        var recoveries = timelines.SelectMany(t => t.Recoveries).ToList();
        var times = recoveries.Select(r => r.TimeToLeader ?? TimeSpan.MaxValue).Order().ToList();
        var observed = timelines.Aggregate(TimeSpan.Zero, (sum, t) => sum + t.Duration);
        var without = timelines.Aggregate(TimeSpan.Zero, (sum, t) => sum + t.TimeWithoutLeader);
        var overlaps = timelines.SelectMany(t => t.Overlaps).ToList();
        var fleet = settings.Theirs == 0
            ? $"{settings.Replicas} × RoostKeeper.Ha"
            : $"{settings.Ours} × RoostKeeper.Ha + {settings.Theirs} × KubernetesClient LeaderElector (mixed)";

        output.WriteLine($"### {fleet}: {results.Count} runs, seeds {settings.Seed}–{settings.Seed + settings.Runs - 1}");
        output.WriteLine();
        output.WriteLine(Invariant($"Timings: {settings.Timings}. Clock rates of ours: 1 ± {settings.ClockRateError:0.###}. {settings.FaultsPerRun} faults per run. Time-to-leader bound: (LeaseDuration + RetryPeriod) / (1 − {settings.ClockRateError:0.###}) + {settings.Slack.TotalMilliseconds:0} ms slack = {settings.LeaderBound.TotalMilliseconds:0} ms."));
        if (settings.Kinds is { Count: > 0 } kinds)
        {
            output.WriteLine();
            output.WriteLine($"Faults drawn only from: {string.Join(", ", kinds)}.");
        }

        output.WriteLine();
        output.WriteLine("| Measure | Value |");
        output.WriteLine("|---|---|");
        output.WriteLine(Invariant($"| Runs completed / ended by an error | {timelines.Count} / {results.Count(r => r.Error is not null)} |"));
        output.WriteLine(Invariant($"| Observed leadership time (from each run's first leader) | {observed.TotalMinutes:0.0} min |"));
        output.WriteLine(Invariant($"| Overlapping leadership intervals (runs affected) | **{overlaps.Count}** ({results.Count(r => r.Overlapped)}) |"));
        output.WriteLine(Invariant($"| Longest overlap | {(overlaps.Count == 0 ? "—" : ReportFigures.Ms(overlaps.Max(o => o.Duration)))} |"));
        output.WriteLine(Invariant($"| Time without a leader (total; per run, median) | {without.TotalSeconds:0.0} s; {ReportFigures.Median(timelines.Select(t => t.TimeWithoutLeader.TotalMilliseconds)):0} ms |"));
        output.WriteLine(Invariant($"| Longest stretch without a leader | {(timelines.Count == 0 ? "—" : ReportFigures.Ms(timelines.Max(t => t.LongestWithoutLeader)))} |"));
        output.WriteLine(Invariant($"| Availability (leader time / observed time) | {(observed > TimeSpan.Zero ? (1 - (without / observed)) * 100 : 100):0.000} % |"));
        output.WriteLine(Invariant($"| Transitions (total; per run, median) | {timelines.Sum(t => t.Transitions)}; {ReportFigures.Median(timelines.Select(t => (double)t.Transitions)):0} |"));
        output.WriteLine(Invariant($"| Faults healed | {recoveries.Count} |"));
        output.WriteLine(Invariant($"| Time to a leader after a heal: median / p99 / max | {ReportFigures.Percentile(times, 0.5, "no leader")} / {ReportFigures.Percentile(times, 0.99, "no leader")} / {ReportFigures.Percentile(times, 1, "no leader")} |"));
        output.WriteLine(Invariant($"| Heals followed by a leader within the bound | {recoveries.Count(r => r.Within(settings.LeaderBound))} of {recoveries.Count} |"));
        output.WriteLine(Invariant($"| Replica runs that failed (not on stop) | {results.Sum(r => r.ReplicaFailures)} |"));
        output.WriteLine(Invariant($"| Wall time | {wallTime.TotalMinutes:0.0} min ({settings.Concurrency} runs at once) |"));
        output.WriteLine();

        WriteByKind(output, timelines, settings.LeaderBound);
        WriteWorst(output, results);
        var violations = results.Where(r => r.Violated).ToList();
        if (violations.Count == 0)
        {
            output.WriteLine("No violations.");
            return;
        }

        output.WriteLine($"Violations ({violations.Count} runs; replay one with `--replay SEED` and the same options):");
        output.WriteLine();
        foreach (var run in violations.Take(40))
        {
            foreach (var overlap in run.Timeline?.Overlaps ?? [])
            {
                output.WriteLine(Invariant($"- seed {run.Seed}: overlap {ReportFigures.Ms(overlap.Duration)}: {Describe(overlap.First)} and {Describe(overlap.Second)}"));
            }

            foreach (var slow in run.SlowRecoveries)
            {
                output.WriteLine(Invariant($"- seed {run.Seed}: {(slow.TimeToLeader is { } t ? ReportFigures.Ms(t) : "no leader")} to a leader after \"{slow.Fault.Description}\" (healed at {slow.Fault.HealedAt.TotalSeconds:0.000} s)"));
            }

            if (run.Error is not null)
            {
                output.WriteLine($"- seed {run.Seed}: run ended by {run.Error}");
            }

            if (run.ReplicaFailures > 0)
            {
                output.WriteLine($"- seed {run.Seed}: {run.ReplicaFailures} replica run(s) failed");
            }
        }

        if (violations.Count > 40)
        {
            output.WriteLine($"- … and {violations.Count - 40} more runs");
        }
    }

    /// <summary>The runs with the longest stretch without a leader and the slowest leader after a heal, to replay.</summary>
    private static void WriteWorst(TextWriter output, IReadOnlyList<RunResult> results)
    {
        var completed = results.Where(r => r.Timeline is not null).ToList();
        if (completed.Count == 0)
        {
            return;
        }

        foreach (var run in completed.OrderByDescending(r => r.Timeline!.LongestWithoutLeader).Take(3))
        {
            output.WriteLine(Invariant($"- Stretch without a leader of {ReportFigures.Ms(run.Timeline!.LongestWithoutLeader)}: seed {run.Seed}, faults: {string.Join("; ", run.Faults)}"));
        }

        foreach (var run in completed.Where(r => r.Timeline!.LongestTimeToLeader is not null).OrderByDescending(r => r.Timeline!.LongestTimeToLeader).Take(3))
        {
            output.WriteLine(Invariant($"- Time to a leader after a heal of {ReportFigures.Ms(run.Timeline!.LongestTimeToLeader!.Value)}: seed {run.Seed}, faults: {string.Join("; ", run.Faults)}"));
        }

        output.WriteLine();
    }

    /// <summary>
    /// Per kind of fault: how often, the time to a leader after it healed, and the longest stretch without a
    /// leader from its injection until the bound after its heal (or the next fault, if sooner): the take-over
    /// time for faults that hit the leader.
    /// </summary>
    private static void WriteByKind(TextWriter output, IReadOnlyList<LeadershipTimeline> timelines, TimeSpan bound)
    {
        var rows = timelines.SelectMany(t => t.Recoveries.Select((r, i) =>
        {
            var next = i + 1 < t.Faults.Count ? t.Faults[i + 1].InjectedAt : t.End;
            var until = r.Fault.HealedAt + bound < next ? r.Fault.HealedAt + bound : next;
            var around = new LeadershipTimeline(t.Intervals, [], r.Fault.InjectedAt, until < r.Fault.InjectedAt ? r.Fault.InjectedAt : until);
            return (Kind: r.Fault.Description.Split(':')[0], Recovery: r, Gap: around.LongestWithoutLeader);
        })).ToList();
        if (rows.Count == 0)
        {
            return;
        }

        output.WriteLine("| Fault (kind) | Injected and healed | Leader at the heal | Time to a leader after the heal: median / max | Longest stretch without a leader around it: median / max |");
        output.WriteLine("|---|---|---|---|---|");
        foreach (var group in rows.GroupBy(r => r.Kind).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var times = group.Select(r => r.Recovery.TimeToLeader ?? TimeSpan.MaxValue).Order().ToList();
            var gaps = group.Select(r => r.Gap).Order().ToList();
            output.WriteLine(Invariant($"| {group.Key} | {group.Count()} | {group.Count(r => r.Recovery.TimeToLeader == TimeSpan.Zero)} | {ReportFigures.Percentile(times, 0.5, "no leader")} / {ReportFigures.Percentile(times, 1, "no leader")} | {ReportFigures.Percentile(gaps, 0.5, "no leader")} / {ReportFigures.Percentile(gaps, 1, "no leader")} |"));
        }

        output.WriteLine();
    }

    public static string Describe(LeadershipInterval interval) =>
        Invariant($"{interval.Replica} term {interval.Term} {interval.Start.TotalSeconds:0.000}–{(interval.End is { } end ? end.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture) : "end")} s");

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
