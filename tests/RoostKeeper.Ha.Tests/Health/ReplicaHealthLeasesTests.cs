using k8s;
using k8s.Models;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using RoostKeeper.Ha.Health;

namespace RoostKeeper.Ha.Tests.Health;

/// <summary>How replicas publish and read each other's health: one Lease per replica.</summary>
public sealed class ReplicaHealthLeasesTests
{
    [Theory]
    [InlineData("replica-a", "roost-keeper-controller-health-replica-a")]
    [InlineData("roost-keeper-7d9f_1a2b3c4d", "roost-keeper-controller-health-roost-keeper-7d9f-1a2b3c4d-")]
    [InlineData("Pod.Name", "roost-keeper-controller-health-pod-name-")]
    public void Lease_names_are_valid_object_names_and_distinct_per_identity(string identity, string prefix)
    {
        var name = ReplicaHealthLeases.LeaseName("roost-keeper-controller", identity);

        Assert.StartsWith(prefix, name);
        Assert.Matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", name);
        Assert.NotEqual(name, ReplicaHealthLeases.LeaseName("roost-keeper-controller", identity + "x"));
    }

    [Fact]
    public async Task Published_health_is_read_by_the_others_and_stale_records_are_marked()
    {
        await using var kit = await HealthTestKit.StartAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var a = new ReplicaHealthLeases(kit.Admin, kit.Namespace, "roost-keeper-controller", "replica-a", TimeSpan.FromSeconds(90), time);
        var b = new ReplicaHealthLeases(kit.Admin, kit.Namespace, "roost-keeper-controller", "replica-b", TimeSpan.FromSeconds(90), time);
        var c = new ReplicaHealthLeases(kit.Admin, kit.Namespace, "roost-keeper-controller", "replica-c", TimeSpan.FromSeconds(90), time);
        var otherElection = new ReplicaHealthLeases(kit.Admin, kit.Namespace, "another-controller", "replica-z", TimeSpan.FromSeconds(90), time);

        await b.PublishAsync(HealthStatus.Healthy, CancellationToken.None);
        await otherElection.PublishAsync(HealthStatus.Healthy, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(60));
        await c.PublishAsync(HealthStatus.Degraded, CancellationToken.None);
        await c.PublishAsync(HealthStatus.Unhealthy, CancellationToken.None); // an update of its own record
        time.Advance(TimeSpan.FromSeconds(40));
        await a.PublishAsync(HealthStatus.Unhealthy, CancellationToken.None);

        var peers = (await a.ReadPeersAsync(TimeSpan.FromMinutes(5), CancellationToken.None)).OrderBy(p => p.Identity).ToList();

        Assert.Equal(
            [("replica-b", HealthStatus.Healthy, false), ("replica-c", HealthStatus.Unhealthy, true)],
            peers.Select(p => (p.Identity, p.Status, p.Fresh)));
    }

    [Fact]
    public async Task A_record_within_its_validity_but_older_than_the_freshness_bound_is_not_fresh()
    {
        await using var kit = await HealthTestKit.StartAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var interval = TimeSpan.FromSeconds(10);
        var a = new ReplicaHealthLeases(kit.Admin, kit.Namespace, "roost-keeper-controller", "replica-a", interval * 3, time);
        var b = new ReplicaHealthLeases(kit.Admin, kit.Namespace, "roost-keeper-controller", "replica-b", interval * 3, time);
        var c = new ReplicaHealthLeases(kit.Admin, kit.Namespace, "roost-keeper-controller", "replica-c", interval * 3, time);

        await b.PublishAsync(HealthStatus.Healthy, CancellationToken.None);
        time.Advance(interval * 2.5); // b published and died: its record is still within its 3-interval validity
        await c.PublishAsync(HealthStatus.Healthy, CancellationToken.None);

        var peers = (await a.ReadPeersAsync(interval * 2, CancellationToken.None)).OrderBy(p => p.Identity).ToList();

        Assert.Equal([("replica-b", false), ("replica-c", true)], peers.Select(p => (p.Identity, p.Fresh)));
    }

    [Fact]
    public async Task Health_leases_nobody_renewed_for_the_stale_age_are_deleted_and_live_ones_kept()
    {
        await using var kit = await HealthTestKit.StartAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var leader = new ReplicaHealthLeases(kit.Admin, kit.Namespace, "roost-keeper-controller", "replica-a", TimeSpan.FromSeconds(90), time);
        var gone = new ReplicaHealthLeases(kit.Admin, kit.Namespace, "roost-keeper-controller", "replica-old-pod", TimeSpan.FromSeconds(90), time);
        var alive = new ReplicaHealthLeases(kit.Admin, kit.Namespace, "roost-keeper-controller", "replica-b", TimeSpan.FromSeconds(90), time);
        var otherElection = new ReplicaHealthLeases(kit.Admin, kit.Namespace, "another-controller", "replica-z", TimeSpan.FromSeconds(90), time);
        await leader.PublishAsync(HealthStatus.Healthy, CancellationToken.None);
        await gone.PublishAsync(HealthStatus.Healthy, CancellationToken.None);
        await otherElection.PublishAsync(HealthStatus.Healthy, CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(6));
        await alive.PublishAsync(HealthStatus.Healthy, CancellationToken.None);

        var deleted = await leader.CollectStaleAsync(TimeSpan.FromMinutes(5), CancellationToken.None);

        Assert.Equal(["replica-old-pod"], deleted.Select(d => d.Identity));
        var left = (await kit.Admin.CoordinationV1.ListNamespacedLeaseAsync(kit.Namespace)).Items.Select(l => l.Spec.HolderIdentity).Order();
        Assert.Equal(["replica-a", "replica-b", "replica-z"], left);
    }

    [Fact]
    public async Task A_record_left_by_an_earlier_process_is_taken_over_and_a_deleted_one_recreated()
    {
        await using var kit = await HealthTestKit.StartAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var earlier = new ReplicaHealthLeases(kit.Admin, kit.Namespace, "roost-keeper-controller", "replica-a", TimeSpan.FromSeconds(90), time);
        await earlier.PublishAsync(HealthStatus.Unhealthy, CancellationToken.None);
        var now = new ReplicaHealthLeases(kit.Admin, kit.Namespace, "roost-keeper-controller", "replica-a", TimeSpan.FromSeconds(90), time);

        await now.PublishAsync(HealthStatus.Healthy, CancellationToken.None);
        var taken = await kit.Admin.CoordinationV1.ReadNamespacedLeaseAsync(now.Name, kit.Namespace);
        await kit.Admin.CoordinationV1.DeleteNamespacedLeaseAsync(now.Name, kit.Namespace);
        await now.PublishAsync(HealthStatus.Degraded, CancellationToken.None);
        var recreated = await kit.Admin.CoordinationV1.ReadNamespacedLeaseAsync(now.Name, kit.Namespace);

        Assert.Equal("Healthy", taken.Metadata.Annotations[ReplicaHealthLeases.StatusAnnotation]);
        Assert.Equal("Degraded", recreated.Metadata.Annotations[ReplicaHealthLeases.StatusAnnotation]);
        Assert.Equal("roost-keeper-controller", recreated.Metadata.Labels[ReplicaHealthLeases.ElectionLabel]);
    }
}
