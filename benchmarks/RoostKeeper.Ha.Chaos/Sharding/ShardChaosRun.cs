using System.Globalization;
using Microsoft.Extensions.Logging;
using RoostKeeper.Ha.Chaos.Clocks;
using RoostKeeper.Ha.Chaos.Fleet;

namespace RoostKeeper.Ha.Chaos.Sharding;

/// <summary>
/// One seeded sharded run: a fleet with sharded leadership on its own SimulatedCluster settles (every shard held,
/// balanced), takes <see cref="ShardChaosSettings.FaultsPerRun"/> random faults one after the other, and is
/// checked: no shard's intervals overlap, every shard is held again within the bound after each heal, and the
/// shards are balanced (max − min ≤ 1 over the live replicas) within a few RetryPeriods more. The seed fixes the
/// clocks' rates and the fault schedule; thread timing is not replayable.
/// </summary>
internal static class ShardChaosRun
{
    public static async Task<ShardRunResult> RunAsync(ShardChaosSettings settings, int seed, ILoggerFactory? loggerFactory = null, Action<string>? trace = null, CancellationToken cancellationToken = default)
    {
        var random = new Random(seed);
        var rates = Enumerable.Range(0, settings.Replicas + 2).Select(_ => 1 + (((random.NextDouble() * 2) - 1) * settings.ClockRateError)).ToList();
        var faults = new List<string>();
        var recoveries = new List<ShardRecovery>();
        ShardedFleet? fleet = null;
        try
        {
            fleet = await ShardedFleet.CreateAsync(settings.Replicas, settings.Timings, new ShardedSetup(true, settings.Shards, settings.DrainTimeout),
                i => new DriftingTimeProvider(rates[Math.Min(i, rates.Count - 1)]), loggerFactory, cancellationToken);
            trace?.Invoke($"seed {seed}: rates {string.Join(", ", rates.Select(r => r.ToString("0.0000", CultureInfo.InvariantCulture)))}");
            fleet.StartAll();
            var shards = fleet.Shards;
            if (!await shards.WaitUntilAsync(_ => Settled(fleet), settings.BalanceBound * 3, cancellationToken))
            {
                throw new TimeoutException($"The fleet never settled: shards held by [{Holders(fleet)}]{Failure(fleet)}.");
            }

            var firstAt = shards.Now;
            var injector = new ShardFaultInjector(fleet, settings, random);
            for (var i = 0; i < settings.FaultsPerRun; i++)
            {
                // Let the fleet settle a little, so faults hit working shards.
                await Task.Delay(settings.Timings.RetryPeriod * (1 + (random.NextDouble() * 2)), cancellationToken);
                var kind = injector.Draw();
                var injectedAt = shards.Now;
                var described = $"{kind}: {await injector.ApplyAsync(kind, cancellationToken)}";
                var healedAt = shards.Now;
                faults.Add(described);
                TimeSpan? owned = await shards.WaitUntilAsync(_ => AllHeld(fleet), settings.OwnedBound * 2, cancellationToken) ? shards.Now - healedAt : null;
                TimeSpan? balanced = await shards.WaitUntilAsync(_ => Settled(fleet), settings.BalanceBound * 2, cancellationToken) ? shards.Now - healedAt : null;
                recoveries.Add(new ShardRecovery(described, injectedAt, healedAt, owned, balanced));
                trace?.Invoke(FormattableString.Invariant($"  {injectedAt.TotalSeconds,7:0.000} s {described} (healed {healedAt.TotalSeconds:0.000} s; all held after {Ms(owned)}, balanced after {Ms(balanced)}: [{Holders(fleet)}])"));
            }

            await Task.Delay(settings.Timings.RetryPeriod * 2, cancellationToken);
            var end = shards.Now;
            var intervals = shards.Intervals();
            var failed = fleet.Replicas.FirstOrDefault(r => r.LastFailure is not null);
            return new ShardRunResult(
                seed,
                faults,
                recoveries,
                fleet.Overlaps(),
                shards.Overlaps(byToken: true),
                end - firstAt,
                Unowned(intervals, settings.Shards, firstAt, end),
                intervals.Count(i => i.Start > firstAt),
                [.. recoveries.Where(r => r.TimeToOwned is not { } t || t > settings.OwnedBound)],
                [.. recoveries.Where(r => r.TimeToBalanced is not { } t || t > settings.BalanceBound)],
                null,
                fleet.Replicas.Sum(r => r.RunFailures),
                failed?.LastFailure is { } e ? $"{failed.Name}: {e.GetType().Name}: {e.Message}" : null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new ShardRunResult(seed, faults, recoveries, fleet?.Overlaps() ?? [], fleet?.Shards.Overlaps(byToken: true) ?? [], TimeSpan.Zero, TimeSpan.Zero, 0, [], [],
                e.GetType().Name + ": " + e.Message, fleet?.Replicas.Sum(r => r.RunFailures) ?? 0, null);
        }
        finally
        {
            if (fleet is not null)
            {
                await fleet.DisposeAsync();
            }
        }
    }

    /// <summary>Every shard worked on by a live replica (running, not cut off).</summary>
    public static bool AllHeld(ShardedFleet fleet)
    {
        var live = fleet.Live.Select(r => r.Name).ToHashSet();
        return fleet.Shards.HoldersNow().All(h => h is not null && live.Contains(h));
    }

    public static bool Settled(ShardedFleet fleet) => ShardedFleet.Balanced(fleet.Shards, fleet.Live.Select(r => r.Name).ToList());

    /// <summary>The sum over shards of the time in [from, to] that no interval covered.</summary>
    public static TimeSpan Unowned(IReadOnlyList<ShardInterval> intervals, int shards, TimeSpan from, TimeSpan to)
    {
        var total = TimeSpan.Zero;
        for (var shard = 0; shard < shards; shard++)
        {
            var covered = TimeSpan.Zero;
            var reach = from;
            foreach (var interval in intervals.Where(i => i.Shard == shard).OrderBy(i => i.Start))
            {
                var start = interval.Start > reach ? interval.Start : reach;
                var end = interval.EndOr(to) < to ? interval.EndOr(to) : to;
                if (end > start)
                {
                    covered += end - start;
                    reach = end;
                }
            }

            total += (to - from) - covered;
        }

        return total;
    }

    private static string Holders(ShardedFleet fleet) => string.Join(", ", fleet.Shards.HoldersNow().Select(h => h ?? "-"));

    private static string Failure(ShardedFleet fleet) =>
        fleet.Replicas.FirstOrDefault(r => r.LastFailure is not null) is { } failed ? $"; {failed.Name} failed: {failed.LastFailure!.GetType().Name}: {failed.LastFailure.Message}" : "";

    private static string Ms(TimeSpan? span) => span is { } s ? FormattableString.Invariant($"{s.TotalMilliseconds:0} ms") : "never";
}
