using System.Collections.Concurrent;

namespace RoostKeeper.Ha.Chaos.Runs;

/// <summary>Many seeded runs at once, each on its own SimulatedCluster.</summary>
internal static class ChaosCampaign
{
    public static async Task<IReadOnlyList<RunResult>> RunAsync(ChaosSettings settings, Action<RunResult>? completed = null, CancellationToken cancellationToken = default)
    {
        var results = new ConcurrentBag<RunResult>();
        await Parallel.ForEachAsync(
            Enumerable.Range(0, settings.Runs).Select(i => settings.Seed + i),
            new ParallelOptions { MaxDegreeOfParallelism = settings.Concurrency, CancellationToken = cancellationToken },
            async (seed, token) =>
            {
                var result = await ChaosRun.RunAsync(settings, seed, cancellationToken: token);
                results.Add(result);
                completed?.Invoke(result);
            });
        return [.. results.OrderBy(r => r.Seed)];
    }
}
