using System.Collections.Concurrent;

namespace RoostKeeper.Ha.Chaos.Sharding;

/// <summary>Many seeded sharded runs at once, each on its own SimulatedCluster.</summary>
internal static class ShardCampaign
{
    public static async Task<IReadOnlyList<ShardRunResult>> RunAsync(ShardChaosSettings settings, Action<ShardRunResult>? completed = null, CancellationToken cancellationToken = default)
    {
        var results = new ConcurrentBag<ShardRunResult>();
        await Parallel.ForEachAsync(
            Enumerable.Range(0, settings.Runs).Select(i => settings.Seed + i),
            new ParallelOptions { MaxDegreeOfParallelism = settings.Concurrency, CancellationToken = cancellationToken },
            async (seed, token) =>
            {
                var result = await ShardChaosRun.RunAsync(settings, seed, cancellationToken: token);
                results.Add(result);
                completed?.Invoke(result);
            });
        return [.. results.OrderBy(r => r.Seed)];
    }
}
