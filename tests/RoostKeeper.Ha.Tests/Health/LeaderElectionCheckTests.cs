using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;

namespace RoostKeeper.Ha.Tests.Health;

/// <summary>The leader election check: client-go's HealthzAdaptor rule on the Lease, with and without this process's elector.</summary>
public sealed class LeaderElectionCheckTests
{
    private const string Check = "leader-election";

    [Fact]
    public async Task A_lease_held_and_renewed_is_healthy()
    {
        await using var kit = await HealthTestKit.StartAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await CreateLeaseAsync(kit, "replica-a", time.GetUtcNow());
        var health = kit.Manager(h => h.AddLeaderElection(leaseName: "roost-keeper-controller"), time: time);

        var entry = (await health.CheckHealthAsync(CancellationToken.None)).Entries[Check];

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal("replica-a", entry.Data["holder"]);
        Assert.Contains(RoostKeeper.Ha.Health.RoostHealthTags.Live, entry.Tags);
    }

    [Fact]
    public async Task No_lease_or_no_holder_is_degraded()
    {
        await using var kit = await HealthTestKit.StartAsync();
        var health = kit.Manager(h => h.AddLeaderElection(leaseName: "roost-keeper-controller"));

        var missing = (await health.CheckHealthAsync(CancellationToken.None)).Entries[Check];
        await CreateLeaseAsync(kit, "", DateTimeOffset.UtcNow);
        var free = (await health.CheckHealthAsync(CancellationToken.None)).Entries[Check];

        Assert.Equal(HealthStatus.Degraded, missing.Status);
        Assert.Equal(HealthStatus.Degraded, free.Status);
        Assert.Contains("No replica holds", free.Description);
    }

    [Fact]
    public async Task A_lease_past_its_duration_and_the_tolerance_is_degraded()
    {
        await using var kit = await HealthTestKit.StartAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await CreateLeaseAsync(kit, "replica-a", time.GetUtcNow());
        var health = kit.Manager(h => h.AddLeaderElection(tolerance: TimeSpan.FromSeconds(5), leaseName: "roost-keeper-controller"), time: time);

        time.Advance(TimeSpan.FromSeconds(19)); // 15 s + 5 s not yet passed
        var within = (await health.CheckHealthAsync(CancellationToken.None)).Entries[Check];
        time.Advance(TimeSpan.FromSeconds(2));
        var past = (await health.CheckHealthAsync(CancellationToken.None)).Entries[Check];

        Assert.Equal(HealthStatus.Healthy, within.Status);
        Assert.Equal(HealthStatus.Degraded, past.Status);
        Assert.Contains("has expired", past.Description);
    }

    [Fact]
    public async Task A_leader_is_healthy_and_unhealthy_once_it_has_not_renewed_for_the_duration_and_tolerance()
    {
        await using var kit = await HealthTestKit.StartAsync();
        using var manager = new HaManager(kit.Cluster.CreateClient("replica-a"), Options("replica-a", kit.Namespace));
        using var stop = new CancellationTokenSource();
        var election = manager.StartLeaderElectionAsync(stop.Token);
        await HealthTestKit.Until(() => manager.IsLeader, "replica-a to lead");
        var health = kit.Manager(h => h.AddLeaderElection(tolerance: TimeSpan.FromSeconds(1)), haManager: manager);

        var leading = (await health.CheckHealthAsync(CancellationToken.None)).Entries[Check];

        // Another writer takes the Lease behind the leader's back: it must not report itself healthy.
        var lease = await kit.Admin.CoordinationV1.ReadNamespacedLeaseAsync("roost-keeper-controller", kit.Namespace);
        lease.Spec.HolderIdentity = "intruder";
        await kit.Admin.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, "roost-keeper-controller", kit.Namespace);
        var entry = await HealthTestKit.CheckUntilAsync(health, Check, e => e.Status != HealthStatus.Healthy || !manager.IsLeader);

        await stop.CancelAsync();
        await election;
        Assert.Equal(HealthStatus.Healthy, leading.Status);
        Assert.Equal(true, leading.Data["isLeader"]);
        if (entry.Data["isLeader"] is true)
        {
            Assert.Equal(HealthStatus.Unhealthy, entry.Status);
            Assert.Contains("names intruder", entry.Description);
        }
    }

    [Fact]
    public async Task A_partitioned_replica_reports_the_lease_unreadable()
    {
        await using var kit = await HealthTestKit.StartAsync();
        using var manager = new HaManager(kit.Cluster.CreateClient("replica-a"), Options("replica-a", kit.Namespace));
        using var stop = new CancellationTokenSource();
        var election = manager.StartLeaderElectionAsync(stop.Token);
        await HealthTestKit.Until(() => manager.IsLeader, "replica-a to lead");

        kit.Cluster.Faults.Partition("replica-a");
        var report = await manager.CheckClusterHealthAsync();
        var status = await manager.GetStatusAsync();

        await stop.CancelAsync();
        await election;
        Assert.Equal(HealthStatus.Unhealthy, report.Entries[Check].Status);
        Assert.Contains("cannot be read", report.Entries[Check].Description);
        Assert.Equal(HealthStatus.Unhealthy, status.ClusterHealth);
    }

    [Fact]
    public async Task Without_an_elector_or_a_lease_name_the_check_says_what_to_pass()
    {
        await using var kit = await HealthTestKit.StartAsync();
        var health = kit.Manager(h => h.AddLeaderElection());

        var entry = (await health.CheckHealthAsync(CancellationToken.None)).Entries[Check];

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("pass leaseName", entry.Description);
    }

    private static RoostHaOptions Options(string identity, string ns) => new()
    {
        LeaseName = "roost-keeper-controller",
        LeaseNamespace = ns,
        Identity = identity,
        LeaseDuration = TimeSpan.FromSeconds(6),
        RenewDeadline = TimeSpan.FromSeconds(4),
        RetryPeriod = TimeSpan.FromSeconds(1),
    };

    private static Task<V1Lease> CreateLeaseAsync(HealthTestKit kit, string holder, DateTimeOffset renewed) =>
        kit.Admin.CoordinationV1.CreateNamespacedLeaseAsync(
            new V1Lease
            {
                Metadata = new V1ObjectMeta { Name = "roost-keeper-controller" },
                Spec = new V1LeaseSpec { HolderIdentity = holder, LeaseDurationSeconds = 15, RenewTime = renewed.UtcDateTime, AcquireTime = renewed.UtcDateTime },
            },
            kit.Namespace);
}
