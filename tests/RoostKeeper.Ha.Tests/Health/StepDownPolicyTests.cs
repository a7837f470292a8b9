using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Health;
using RoostKeeper.Ha.Tests.Election;

namespace RoostKeeper.Ha.Tests.Health;

/// <summary>
/// The step-down policy's choices on a fake clock: the leader's Lease in memory (with the hand-over memory an earlier
/// leader wrote), the replicas' health Leases in SimulatedCluster.
/// </summary>
public sealed class StepDownPolicyTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private static readonly HealthReport Unhealthy = new(
        new Dictionary<string, HealthReportEntry> { ["leader-only-dependency"] = new(HealthStatus.Unhealthy, "down", TimeSpan.Zero, null, null) },
        TimeSpan.Zero);

    [Fact]
    public async Task Backs_off_then_picks_the_freshest_healthy_replica_and_never_one_that_handed_over()
    {
        await using var kit = await HealthTestKit.StartAsync();
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");
        Remember(h, ("d", h.Time.GetUtcNow().AddMinutes(-1)));
        var policy = Policy(kit, h, a);

        await EvaluateAsync(h, policy);
        h.Time.Advance(Interval);
        await PublishAsync(kit, h, "b", HealthStatus.Healthy);
        h.Time.Advance(TimeSpan.FromSeconds(1));
        await PublishAsync(kit, h, "c", HealthStatus.Healthy);
        await PublishAsync(kit, h, "e", HealthStatus.Degraded);
        h.Time.Advance(TimeSpan.FromSeconds(1));
        await PublishAsync(kit, h, "d", HealthStatus.Healthy);
        await EvaluateAsync(h, policy);
        Assert.Equal(0, policy.HandOvers); // one hand-over in the window: 2 × StepDownAfter of ill health first

        h.Time.Advance(Interval);
        await PublishAsync(kit, h, "b", HealthStatus.Healthy);
        h.Time.Advance(TimeSpan.FromSeconds(1));
        await PublishAsync(kit, h, "c", HealthStatus.Healthy);
        await PublishAsync(kit, h, "e", HealthStatus.Degraded);
        await PublishAsync(kit, h, "d", HealthStatus.Healthy);
        await EvaluateAsync(h, policy);

        Assert.Equal(1, policy.HandOvers);
        Assert.Equal("c", h.Lease.Current!.Spec.HolderIdentity); // fresher than b; d handed over a minute ago
        Assert.Equal(["d", "a"], LeaseRecord.HandOvers(h.Lease.Current).Select(r => r.From));
    }

    [Fact]
    public async Task With_the_budget_spent_the_leader_keeps_leading_and_says_why()
    {
        await using var kit = await HealthTestKit.StartAsync();
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");
        var now = h.Time.GetUtcNow();
        Remember(h, ("x", now.AddMinutes(-7)), ("y", now.AddMinutes(-5)), ("z", now.AddMinutes(-1)));
        var policy = Policy(kit, h, a);

        await EvaluateAsync(h, policy);
        h.Time.Advance(TimeSpan.FromMinutes(2)); // beyond any back-off; the oldest hand-over is still in the window
        await PublishAsync(kit, h, "b", HealthStatus.Healthy);
        await EvaluateAsync(h, policy);

        Assert.Equal((0, StepDownPolicy.Decline.Budget, 0), (policy.HandOvers, policy.LastDecline, policy.BudgetRemaining));
        Assert.True(a.IsLeader);

        // The oldest hand-over leaves the window: the budget has room again, and b is chosen.
        h.Time.Advance(TimeSpan.FromMinutes(6));
        await PublishAsync(kit, h, "b", HealthStatus.Healthy);
        await EvaluateAsync(h, policy);
        Assert.Equal(1, policy.HandOvers);
        Assert.Equal("b", h.Lease.Current!.Spec.HolderIdentity);
    }

    [Fact]
    public async Task After_every_other_replica_handed_over_in_turn_leadership_stays_put()
    {
        await using var kit = await HealthTestKit.StartAsync();
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");
        var now = h.Time.GetUtcNow();
        Remember(h, ("b", now.AddSeconds(-30)), ("c", now.AddSeconds(-10)));
        var policy = Policy(kit, h, a, maxHandOvers: 5);

        await EvaluateAsync(h, policy);
        h.Time.Advance(Interval * 4);
        await PublishAsync(kit, h, "b", HealthStatus.Healthy);
        await PublishAsync(kit, h, "c", HealthStatus.Healthy);
        await EvaluateAsync(h, policy);

        Assert.Equal((0, StepDownPolicy.Decline.AllTried), (policy.HandOvers, policy.LastDecline));
        Assert.True(a.IsLeader);
    }

    private static StepDownPolicy Policy(HealthTestKit kit, ElectionHarness h, ElectionHarness.Replica leader, int maxHandOvers = 3) =>
        new(
            leader.Manager.Elector,
            new ReplicaHealthLeases(kit.Admin, kit.Namespace, InMemoryLease.Name, leader.Name, Interval * 3, h.Time),
            new HealthOptions { Interval = Interval, StepDownAfter = Interval, MaxHandOvers = maxHandOvers, HandOverWindow = TimeSpan.FromMinutes(10) },
            h.Time,
            NullLogger.Instance);

    private static Task PublishAsync(HealthTestKit kit, ElectionHarness h, string identity, HealthStatus status) =>
        new ReplicaHealthLeases(kit.Admin, kit.Namespace, InMemoryLease.Name, identity, Interval * 3, h.Time).PublishAsync(status, CancellationToken.None);

    private static async Task EvaluateAsync(ElectionHarness h, StepDownPolicy policy)
    {
        var evaluation = policy.EvaluateAsync(Unhealthy, CancellationToken.None);
        Assert.True(await h.RunUntilAsync(() => evaluation.IsCompleted, Minute), "the evaluation did not complete");
        await evaluation;
    }

    /// <summary>What earlier hand-overs left on the Lease.</summary>
    private static void Remember(ElectionHarness h, params (string From, DateTimeOffset At)[] handOvers) =>
        h.Lease.Edit(l =>
        {
            l.Metadata.Annotations ??= new Dictionary<string, string>();
            l.Metadata.Annotations[LeaseRecord.HandOversAnnotation] = string.Join(',', handOvers.Select(x => $"{x.From}@{x.At.ToUnixTimeSeconds()}"));
        });
}
