using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Tests.Election;

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
    public async Task A_leader_is_unhealthy_when_its_last_renewal_is_older_than_the_duration_and_the_tolerance()
    {
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");
        var leading = (await a.Manager.CheckClusterHealthAsync()).Entries[Check];

        // As if a's renew loop were stuck (HealthzAdaptor's case): the Lease says a renewed 36 s ago,
        // past LeaseDuration 15 s + the default tolerance 20 s, while a still believes it leads.
        h.Lease.Edit(l => l.Spec.RenewTime = (h.Time.GetUtcNow() - TimeSpan.FromSeconds(36)).UtcDateTime);
        var stale = (await a.Manager.CheckClusterHealthAsync()).Entries[Check];
        h.Lease.Edit(l => l.Spec.RenewTime = (h.Time.GetUtcNow() - TimeSpan.FromSeconds(34)).UtcDateTime);
        var tolerated = (await a.Manager.CheckClusterHealthAsync()).Entries[Check];

        Assert.Equal(HealthStatus.Healthy, leading.Status);
        Assert.True(a.IsLeader);
        Assert.Equal(HealthStatus.Unhealthy, stale.Status);
        Assert.Contains("a leads but last renewed", stale.Description);
        Assert.Equal(HealthStatus.Healthy, tolerated.Status);
    }

    [Fact]
    public async Task A_leader_whose_lease_names_another_holder_never_reports_itself_healthy_as_leader()
    {
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");

        h.Lease.Edit(l => l.Spec.HolderIdentity = "intruder");
        var entry = (await a.Manager.CheckClusterHealthAsync()).Entries[Check];

        // The check's read is also the elector's observation: a steps down on seeing it. Whichever comes
        // first, the entry is either "a acts as leader but … names intruder" (Unhealthy) or a follower's view.
        Assert.Equal("intruder", entry.Data["holder"]);
        if ((bool)entry.Data["isLeader"])
        {
            Assert.Equal(HealthStatus.Unhealthy, entry.Status);
            Assert.Contains("a acts as leader but Lease roost/roost-lease names intruder", entry.Description);
        }

        Assert.True(await h.RunUntilAsync(() => !a.IsLeader, TimeSpan.FromMinutes(1)));
        Assert.Equal(HealthStatus.Healthy, (await a.Manager.CheckClusterHealthAsync()).Entries[Check].Status);
    }

    [Fact]
    public async Task A_follower_is_healthy_while_the_leader_renews_and_degraded_once_the_lease_expires_by_its_own_clock()
    {
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");
        var b = h.Add("b");
        b.Start();
        await h.RunForAsync(TimeSpan.FromSeconds(3));
        var following = (await b.Manager.CheckClusterHealthAsync()).Entries[Check];

        // a stops renewing (its client is cut off); b's own clock runs past LeaseDuration, so b judges the
        // Lease expired, though it may not have taken it yet.
        a.Client.Partition();
        b.Client.BeforeWrite = _ => throw new HttpRequestException("b cannot write either");
        await h.RunForAsync(TimeSpan.FromSeconds(20));
        var expired = (await b.Manager.CheckClusterHealthAsync()).Entries[Check];

        Assert.Equal(HealthStatus.Healthy, following.Status);
        Assert.Equal("a", following.Data["holder"]);
        Assert.Equal(HealthStatus.Degraded, expired.Status);
        Assert.Contains("has expired", expired.Description);
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

    private static LeaderElectionOptions Options(string identity, string ns) => new()
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
