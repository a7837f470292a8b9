using System.Globalization;
using RoostKeeper.Ha.Chaos.Sharding;

namespace RoostKeeper.Ha.Chaos.Tests.Sharding;

/// <summary>
/// A few seeded runs of the sharded chaos mode in CI: every kind of fault at least once on three replicas, and
/// random faults on five. Asserted: no shard ever worked on by two replicas at once, no run or replica failure,
/// every shard held again within (LeaseDuration + RetryPeriod) / (1 − ε) of every heal and balanced
/// (max − min ≤ 1) within 4 RetryPeriods more. The slack absorbs a loaded CI machine's scheduling, not a protocol
/// allowance. No assertion on wall-clock speed.
/// </summary>
public sealed class FixedSeedShardedChaosTests
{
    private static readonly TimeSpan CiSlack = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Three_replicas_never_share_a_shard_and_hold_and_balance_every_shard_in_time_after_every_kind_of_fault()
    {
        var settings = ShardChaosSettings.Default with { Replicas = 3, FaultsPerRun = 2, Slack = CiSlack };
        var kinds = Enum.GetValues<ShardFaultKind>();

        var results = await RunAllAsync(kinds.Select((kind, i) => (settings with { Kinds = [kind] }, 35_000 + i)));

        AssertHeld(results);
        Assert.Equal(kinds.Length * settings.FaultsPerRun, results.Sum(r => r.Result.Recoveries.Count));
    }

    [Fact]
    public async Task Five_replicas_never_share_a_shard_and_hold_and_balance_every_shard_in_time_under_random_faults()
    {
        var settings = ShardChaosSettings.Default with { Replicas = 5, FaultsPerRun = 3, Slack = CiSlack };

        var results = await RunAllAsync(Enumerable.Range(45_000, 3).Select(seed => (settings, seed)));

        AssertHeld(results);
    }

    private static async Task<IReadOnlyList<(ShardChaosSettings Settings, ShardRunResult Result)>> RunAllAsync(IEnumerable<(ShardChaosSettings Settings, int Seed)> runs)
    {
        // Several clusters at once keeps the test short; each run is independent.
        using var gate = new SemaphoreSlim(5);
        var tasks = runs.Select(async run =>
        {
            await gate.WaitAsync();
            try
            {
                return (run.Settings, await ShardChaosRun.RunAsync(run.Settings, run.Seed));
            }
            finally
            {
                gate.Release();
            }
        });
        return await Task.WhenAll(tasks);
    }

    private static void AssertHeld(IReadOnlyList<(ShardChaosSettings Settings, ShardRunResult Result)> results)
    {
        foreach (var (settings, run) in results)
        {
            var only = settings.Kinds is { } kinds ? $" --only {string.Join(',', kinds)}" : "";
            var replay = $"seed {run.Seed} (replay: dotnet run --project benchmarks/RoostKeeper.Ha.Chaos -c Release -- --sharded --replay {run.Seed} --replicas {settings.Replicas} --faults {settings.FaultsPerRun} --slack-ms {settings.Slack.TotalMilliseconds:0}{only}); faults: {string.Join("; ", run.Faults)}";
            Assert.True(run.Error is null, $"{replay}: the run failed: {run.Error}");
            Assert.True(run.ReplicaFailures == 0, $"{replay}: {run.ReplicaFailures} replica run(s) failed: {run.ReplicaFailure}");
            Assert.True(run.Overlaps.Count == 0, $"{replay}: a shard had two holders at once: {string.Join("; ", run.Overlaps.Select(o => $"shard {o.First.Shard}: {ShardCampaignReport.Describe(o.First)} and {ShardCampaignReport.Describe(o.Second)} for {o.Duration.TotalMilliseconds:0} ms"))}");
            Assert.True(run.TokenOverlaps.Count == 0, $"{replay}: a shard's token was still live when another replica took it: {string.Join("; ", run.TokenOverlaps.Select(o => $"shard {o.First.Shard}: {ShardCampaignReport.Describe(o.First)} and {ShardCampaignReport.Describe(o.Second)} for {o.Duration.TotalMilliseconds:0} ms"))}");
            Assert.True(run.SlowOwned.Count == 0, $"{replay}: not every shard held within {settings.OwnedBound.TotalMilliseconds:0} ms after: {Describe(run.SlowOwned, r => r.TimeToOwned)}");
            Assert.True(run.SlowBalanced.Count == 0, $"{replay}: not balanced within {settings.BalanceBound.TotalMilliseconds:0} ms after: {Describe(run.SlowBalanced, r => r.TimeToBalanced)}");
        }
    }

    private static string Describe(IEnumerable<ShardRecovery> recoveries, Func<ShardRecovery, TimeSpan?> time) =>
        string.Join("; ", recoveries.Select(r => $"{r.Fault} ({(time(r) is { } t ? t.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms" : "never")})"));
}
