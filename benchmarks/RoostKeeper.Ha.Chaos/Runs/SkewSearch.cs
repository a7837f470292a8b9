using System.Globalization;
using RoostKeeper.Ha.Chaos.Fleet;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Chaos.Runs;

/// <summary>
/// How much clock-rate difference it takes to break mutual exclusion. The worst case on purpose: once a
/// leader is elected its clock is slowed to 1 − ε and every follower's sped up to 1 + ε, then the leader is
/// blackholed right after a renewal. ε grows step by step until a run overlaps.
/// </summary>
internal static class SkewSearch
{
    public sealed record Step(double RateError, int Runs, int RunsOverlapping, TimeSpan LongestOverlap);

    public static async Task<IReadOnlyList<Step>> RunAsync(ElectionTimings timings, int replicas, int runsPerStep, double step, double max, int concurrency, TextWriter output, CancellationToken cancellationToken)
    {
        var steps = new List<Step>();
        for (var error = 0.0; error <= max + 1e-9; error += step)
        {
            var rateError = error;
            var overlaps = new List<TimeSpan>();
            await Parallel.ForEachAsync(Enumerable.Range(0, runsPerStep), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (_, token) =>
            {
                var longest = await OnceAsync(timings, replicas, rateError, token);
                lock (overlaps)
                {
                    overlaps.Add(longest);
                }
            });
            var result = new Step(rateError, runsPerStep, overlaps.Count(o => o > TimeSpan.Zero), overlaps.Max());
            steps.Add(result);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| ±{rateError * 100:0.#} % | {result.Runs} | {result.RunsOverlapping} | {(result.LongestOverlap > TimeSpan.Zero ? $"{result.LongestOverlap.TotalMilliseconds:0} ms" : "—")} |"));
            if (result.RunsOverlapping > 0 && steps.Count(s => s.RunsOverlapping > 0) >= 2)
            {
                break;
            }
        }

        return steps;
    }

    /// <summary>One worst-case run; returns the longest overlap (zero when none).</summary>
    public static async Task<TimeSpan> OnceAsync(ElectionTimings timings, int replicas, double rateError, CancellationToken cancellationToken)
    {
        await using var fleet = await ChaosFleet.CreateAsync(replicas, 0, timings, Enumerable.Repeat(1.0, replicas).ToList(), null, cancellationToken);
        fleet.StartAll();
        var leaderName = await fleet.Recorder.WaitForLeaderAsync(timings.LeaderBound * 3, cancellationToken: cancellationToken);
        foreach (var replica in fleet.Replicas.Cast<OurReplica>())
        {
            replica.Clock!.Rate = replica.Name == leaderName ? 1 - rateError : 1 + rateError;
        }

        // Let every timer be re-armed at the new rates (the leader renews every RetryPeriod), then cut the
        // leader off just after a renewal: the follower's expiry then starts as early as it can.
        await Task.Delay(timings.RetryPeriod * 3, cancellationToken);
        var renewals = fleet.Cluster.Requests.Count(leaderName, "update", "leases");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (fleet.Cluster.Requests.Count(leaderName, "update", "leases") == renewals && waited.Elapsed < timings.RetryPeriod * 2)
        {
            await Task.Delay(5, cancellationToken);
        }

        fleet.Cluster.Faults.Partition(leaderName, PartitionMode.Blackhole);
        try
        {
            await fleet.Recorder.WaitForLeaderAsync(timings.LeaderBound * 2, leaderName, cancellationToken);
        }
        catch (TimeoutException)
        {
        }

        await Task.Delay(timings.RetryPeriod, cancellationToken);
        var overlaps = fleet.Recorder.Timeline().Overlaps;
        return overlaps.Count == 0 ? TimeSpan.Zero : overlaps.Max(o => o.Duration);
    }
}
