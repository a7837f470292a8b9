using System.Globalization;
using System.Text;

namespace RoostKeeper.Ha.ProcessChaos.Runs;

/// <summary>Many seeded runs, a few at a time, and their summary.</summary>
internal static class ProcessChaosCampaign
{
    public static async Task<IReadOnlyList<RunResult>> RunAsync(ProcessChaosSettings settings, Action<RunResult>? completed, CancellationToken cancellationToken)
    {
        using var gate = new SemaphoreSlim(settings.Concurrency);
        var tasks = Enumerable.Range(settings.Seed, settings.Runs).Select(async seed =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                var result = await ProcessChaosRun.RunAsync(settings, seed, cancellationToken);
                completed?.Invoke(result);
                return result;
            }
            finally
            {
                gate.Release();
            }
        });
        return await Task.WhenAll(tasks);
    }

    /// <summary>Whether the runs held: always no error; when fenced, also no stale write, no lost update, nothing missing, every term recorded, a leader within the bound after every heal.</summary>
    public static bool Held(ProcessChaosSettings settings, IReadOnlyList<RunResult> results)
    {
        var bound = settings.LeaderBound + settings.Slack;
        return results.All(r => r.Error is null && r.UnrecordedTerms.Count == 0 && !r.SlowRecoveries(bound).Any())
            && (settings.Mode != Replica.WriteMode.Fenced || results.All(r => r.StaleWrites.Count == 0 && r.LostUpdates.Count == 0 && r.MissingObjects == 0));
    }

    public static string Line(RunResult r) => string.Create(CultureInfo.InvariantCulture,
        $"seed {r.Seed}: {r.Duration.TotalSeconds:0.0} s, {r.Terms} terms, {r.AcceptedWrites} writes, overlaps {r.Overlaps.Count}, stale {r.StaleWrites.Count}, older-term-untouched {r.OlderTermOnUntouched.Count}, lost {r.LostUpdates.Count}, missing {r.MissingObjects}, refused {r.Refused}, 409 {r.Conflicts}, to leader {string.Join("/", r.Faults.Select(f => f.TimeToLeader is { } t ? t.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) : "never"))} ms{(r.Error is null ? "" : ", ERROR " + r.Error)}");

    public static string Summary(ProcessChaosSettings settings, IReadOnlyList<RunResult> results)
    {
        var bound = settings.LeaderBound + settings.Slack;
        var recoveries = results.SelectMany(r => r.Faults).Where(f => f.TimeToLeader is not null).Select(f => f.TimeToLeader!.Value.TotalMilliseconds).Order().ToArray();
        double Percentile(double p) => recoveries.Length == 0 ? double.NaN : recoveries[Math.Min(recoveries.Length - 1, (int)Math.Ceiling(p * recoveries.Length) - 1)];
        var overlaps = results.SelectMany(r => r.Overlaps).ToList();
        var faults = results.SelectMany(r => r.Faults).ToList();
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"| mode {settings.Mode}, {settings.Replicas} replicas | |");
        text.AppendLine("| --- | --- |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| runs (seeds {settings.Seed}–{settings.Seed + settings.Runs - 1}) | {results.Count}, {faults.Count} faults ({faults.Count(f => f.OnLeader)} on the leader): {string.Join(", ", faults.GroupBy(f => f.Description.Split(' ')[0]).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"))} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| accepted writes / terms | {results.Sum(r => r.AcceptedWrites)} / {results.Sum(r => r.Terms)} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| overlapping leadership, processes' own view | {overlaps.Count} in {results.Count(r => r.Overlaps.Count > 0)} runs, longest {(overlaps.Count == 0 ? 0 : overlaps.Max(o => o.Duration.TotalMilliseconds)):0} ms |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| stale writes (older term after a newer term's write, same object) | {results.Sum(r => r.StaleWrites.Count)} in {results.Count(r => r.StaleWrites.Count > 0)} runs |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| older-term writes on objects the newer term had not touched | {results.Sum(r => r.OlderTermOnUntouched.Count)} in {results.Count(r => r.OlderTermOnUntouched.Count > 0)} runs |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| lost updates / objects missing at the end | {results.Sum(r => r.LostUpdates.Count)} / {results.Sum(r => r.MissingObjects)} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| writes refused by the fence / 409 conflicts | {results.Sum(r => r.Refused)} / {results.Sum(r => r.Conflicts)} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| terms a process announced that the Lease never recorded | {results.Sum(r => r.UnrecordedTerms.Count)} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| time to a leader after a heal: p50 / p99 / max | {Percentile(0.5):0} / {Percentile(0.99):0} / {(recoveries.Length == 0 ? double.NaN : recoveries[^1]):0} ms (bound {settings.LeaderBound.TotalMilliseconds:0} ms + slack {settings.Slack.TotalMilliseconds:0} ms; over it: {results.Sum(r => r.SlowRecoveries(bound).Count())}) |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| runs with an error | {results.Count(r => r.Error is not null)} |");
        return text.ToString();
    }
}
