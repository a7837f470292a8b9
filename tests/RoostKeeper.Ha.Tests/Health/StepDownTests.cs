using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RoostKeeper.Ha.Health;
using RoostKeeper.Ha.Testing;
using RoostKeeper.Ha.Tests.Election;

namespace RoostKeeper.Ha.Tests.Health;

/// <summary>
/// Health-based hand-over end to end: three replicas hosted with AddRoostHa().AddHealthChecks().StepDownWhenUnhealthy(),
/// each with a pod of its own (replica-a, -b, -c) in the simulated cluster.
/// </summary>
public sealed class StepDownTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan After = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_leader_whose_own_pod_is_not_ready_hands_over_to_a_healthy_replica()
    {
        await using var kit = await HealthTestKit.StartAsync();
        var (replicas, leadership) = await StartAsync(kit);
        await using var _ = new Stopper(replicas);
        var leader = await WaitForLeaderAsync(replicas);
        await WaitForHealthyPeersAsync(replicas);

        kit.Cluster.Images.Set(Image(leader.Name), ImageHealth.NeverReady);
        var next = await WaitForLeaderAsync(replicas.Where(r => r != leader).ToList());

        // The policy counts the hand-over once TriggerFailoverAsync returns, which may be after the successor leads.
        await HealthTestKit.Until(() => Monitor(leader).StepDown!.HandOvers == 1, "the old leader to count its hand-over");
        // Degraded, not Unhealthy: its own pod is ready, the old leader's is not (2/3 ready).
        Assert.Equal(HealthStatus.Degraded, (await next.Manager.CheckClusterHealthAsync()).Status);
        await HealthTestKit.Until(() => Monitor(next).Rounds >= 5, "five more rounds on the new leader");
        Assert.True(next.Manager.IsLeader, "the healthy new leader kept leadership");
        Assert.False(leader.Manager.IsLeader);
        Assert.Empty(leadership.Timeline().Overlaps);
    }

    [Fact]
    public async Task A_partitioned_leader_loses_leadership_to_another_replica()
    {
        await using var kit = await HealthTestKit.StartAsync();
        var (replicas, leadership) = await StartAsync(kit);
        await using var _ = new Stopper(replicas);
        var leader = await WaitForLeaderAsync(replicas);

        kit.Cluster.Faults.Partition(leader.Name);
        var next = await WaitForLeaderAsync(replicas.Where(r => r != leader).ToList());
        var report = await leader.Manager.CheckClusterHealthAsync();

        Assert.NotEqual(leader, next);
        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.Empty(leadership.Timeline().Overlaps);
    }

    [Fact]
    public async Task No_hand_over_when_every_replica_is_unhealthy()
    {
        await using var kit = await HealthTestKit.StartAsync();
        var (replicas, leadership) = await StartAsync(kit);
        await using var _ = new Stopper(replicas);
        var leader = await WaitForLeaderAsync(replicas);
        await WaitForHealthyPeersAsync(replicas);

        foreach (var replica in replicas)
        {
            kit.Cluster.Images.Set(Image(replica.Name), ImageHealth.NeverReady);
        }

        // The leader was due to step down in several rounds, and declined each time.
        await HealthTestKit.Until(() => Monitor(leader).StepDown!.Declined >= 5, "the leader to decline five hand-overs");

        Assert.True(leader.Manager.IsLeader);
        Assert.Equal(0, Monitor(leader).StepDown!.HandOvers);
        Assert.Single(leadership.Timeline().Intervals);
    }

    [Fact]
    public async Task Every_replica_publishes_its_health_in_a_lease_of_its_own()
    {
        await using var kit = await HealthTestKit.StartAsync();
        var (replicas, _) = await StartAsync(kit);
        await using var stopper = new Stopper(replicas);

        await WaitForHealthyPeersAsync(replicas);
        var leases = (await kit.Admin.CoordinationV1.ListNamespacedLeaseAsync(kit.Namespace, labelSelector: "roostkeeper.ha/health-of=roost-keeper-controller")).Items;

        Assert.Equal(["replica-a", "replica-b", "replica-c"], leases.Select(l => l.Spec.HolderIdentity).Order());
        Assert.All(leases, l => Assert.Equal("Healthy", l.Metadata.Annotations["roostkeeper.ha/health"]));
        Assert.Contains(leases, l => l.Metadata.Name == "roost-keeper-controller-health-replica-a");
    }

    [Fact]
    public async Task A_failure_that_follows_leadership_settles_within_the_budget_without_a_leaderless_gap()
    {
        await using var kit = await HealthTestKit.StartAsync();
        var (replicas, leadership) = await StartAsync(kit, TimeSpan.FromMilliseconds(500), h => h.Add(new HealthCheckRegistration("leader-only-dependency", sp => new LeaderOnlyDependency(sp), HealthStatus.Unhealthy, null)));
        await using var _ = new Stopper(replicas);
        await WaitForLeaderAsync(replicas);
        var from = leadership.Now;

        // Whoever leads cannot do its work: 30 s of a failure that follows leadership.
        await Task.Delay(TimeSpan.FromSeconds(30));
        var timeline = leadership.Timeline(from);
        var handOvers = replicas.Sum(r => Monitor(r).StepDown!.HandOvers);
        var last = replicas.Single(r => r.Manager.IsLeader);

        // Each replica gets one turn (two hand-overs), then the last keeps leading: no circling.
        Assert.InRange(handOvers, 1, new HealthOptions().MaxHandOvers);
        Assert.Equal(replicas.Count, leadership.Timeline().Intervals.Select(i => i.Replica).Distinct().Count());
        Assert.Equal(replicas.Count, leadership.Timeline().Intervals.Count);
        Assert.Equal(StepDownPolicy.Decline.AllTried, Monitor(last).StepDown!.LastDecline);
        Assert.True(timeline.LongestWithoutLeader <= ReplicaHost.LeaseDuration, $"no leader for {timeline.LongestWithoutLeader} at a stretch");
        Assert.True(timeline.TimeWithoutLeader <= ReplicaHost.LeaseDuration, $"no leader for {timeline.TimeWithoutLeader} in all");
        Assert.Empty(timeline.Overlaps);
    }

    [Fact]
    public async Task A_successor_gone_after_publishing_Healthy_is_not_chosen_and_the_fleet_keeps_a_leader()
    {
        await using var kit = await HealthTestKit.StartAsync();
        var (replicas, leadership) = await StartAsync(kit);
        await using var _ = new Stopper(replicas);
        var leader = await WaitForLeaderAsync(replicas);
        await WaitForHealthyPeersAsync(replicas);
        var gone = replicas.Where(r => r != leader).OrderBy(r => r.Name, StringComparer.Ordinal).First();
        var from = leadership.Now;

        // The first by identity (the old policy's choice) is cut off right after publishing Healthy.
        kit.Cluster.Faults.Partition(gone.Name);
        kit.Cluster.Images.Set(Image(leader.Name), ImageHealth.NeverReady);
        var next = await WaitForLeaderAsync(replicas.Where(r => r != leader).ToList());

        Assert.NotEqual(gone, next);
        Assert.DoesNotContain(leadership.Timeline(from).Intervals, i => i.Replica == gone.Name);
        Assert.True(leadership.Timeline(from).LongestWithoutLeader <= ReplicaHost.LeaseDuration);
    }

    private static string Image(string replica) => $"roost:{replica}";

    private static HealthMonitor Monitor(ReplicaHost replica) => replica.Services.GetRequiredService<HealthMonitor>();

    private static async Task<(List<ReplicaHost> Replicas, LeadershipRecorder Leadership)> StartAsync(HealthTestKit kit, TimeSpan? after = null, Action<IHealthChecksBuilder>? moreChecks = null)
    {
        string[] names = ["replica-a", "replica-b", "replica-c"];
        foreach (var name in names)
        {
            await kit.CreatePodAsync(name, "roost", Image(name));
        }

        await kit.WaitForPodsAsync("roost", 3, 3);
        var leadership = new LeadershipRecorder();
        var replicas = names.Select(name => new ReplicaHost(name, kit.Cluster.CreateClient(name), kit.Namespace, leadership, ha => ha
            .AddHealthChecks(
                h =>
                {
                    h.AddKubernetesApi().AddReadyPods("app=roost", minReady: 1, requireThisPod: true);
                    moreChecks?.Invoke(h);
                },
                o =>
                {
                    o.Interval = Interval;
                    o.PodName = name;
                })
            .StepDownWhenUnhealthy(after ?? After))).ToList();
        foreach (var replica in replicas)
        {
            await replica.StartAsync();
        }

        return (replicas, leadership);
    }

    private static async Task WaitForHealthyPeersAsync(IReadOnlyList<ReplicaHost> replicas) =>
        await HealthTestKit.Until(
            () => replicas.All(r => Monitor(r).Rounds >= 2 && r.Services.GetRequiredService<HealthManager>().LatestReport?.Status == HealthStatus.Healthy),
            "every replica to publish Healthy");

    private static async Task<ReplicaHost> WaitForLeaderAsync(IReadOnlyList<ReplicaHost> candidates)
    {
        ReplicaHost? leader = null;
        await HealthTestKit.Until(() => (leader = candidates.FirstOrDefault(r => r.Manager.IsLeader)) is not null, "a leader among " + string.Join(", ", candidates.Select(c => c.Name)));
        return leader!;
    }

    /// <summary>A dependency only the leader uses, and it is broken: Unhealthy whenever this replica leads.</summary>
    private sealed class LeaderOnlyDependency(IServiceProvider services) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(services.GetRequiredService<HaManager>().IsLeader
                ? HealthCheckResult.Unhealthy("the leader's dependency is down")
                : HealthCheckResult.Healthy("not used by followers"));
    }

    private sealed class Stopper(List<ReplicaHost> replicas) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }
        }
    }
}
