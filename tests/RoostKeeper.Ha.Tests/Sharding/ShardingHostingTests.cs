using System.Collections.Concurrent;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RoostKeeper.Ha.Sharding;
using RoostKeeper.Ha.Testing;
using RoostKeeper.Ha.Tests.Election;

namespace RoostKeeper.Ha.Tests.Sharding;

/// <summary>AddShardedLeadership in real hosts on the SimulatedCluster (KubernetesClient against it): DI, hosted services, a graceful leave.</summary>
public sealed class ShardingHostingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Each_owned_shard_runs_its_own_hosted_service_instance_and_a_graceful_stop_hands_them_over()
    {
        await using var cluster = await TestCluster.StartAsync();
        var ns = await cluster.CreateNamespaceAsync();
        var probes = new ProbeLog();
        var released = new ConcurrentQueue<(string Replica, int Shard)>();
        var hosts = new List<ReplicaHost>();
        foreach (var name in new[] { "one", "two" })
        {
            hosts.Add(new ReplicaHost(name, cluster.CreateClient(name), ns, new LeadershipRecorder(), ha =>
            {
                ha.Services.AddSingleton(probes);
                ha.AddShardedLeadership(o => o.Shards = 4)
                    .AddShardedHostedService<ShardProbe>()
                    .OnShardReleased(shard => released.Enqueue((shard.Identity, shard.Shard)));
            }));
        }

        try
        {
            foreach (var host in hosts)
            {
                await host.StartAsync();
            }

            var ownership = hosts.Select(h => h.Services.GetRequiredService<IShardOwnership>()).ToList();
            await Eventually.UntilAsync(() => ownership.All(o => o.OwnedShards.Count == 2) && probes.Running.Count == 4, "two replicas taking two shards each", Patience);

            // One instance per owned shard, each resolving its own OwnedShard (the one IShardOwnership reports).
            foreach (var o in ownership)
            {
                foreach (var shard in o.OwnedShards)
                {
                    Assert.Same(shard, probes.Running[(o.Identity, shard.Shard)]);
                }
            }

            // Replica one may have held all four shards before two joined and handed two over: count only the leave's releases.
            var releasedBeforeStop = released.Count(r => r.Replica == "one");
            await hosts[0].StopAsync();

            await Eventually.UntilAsync(() => ownership[1].OwnedShards.Count == 4 && probes.Running.Count == 4 && probes.Running.Keys.All(k => k.Replica == "two"), "the survivor taking all four shards", Patience);
            Assert.Equal(2, released.Count(r => r.Replica == "one") - releasedBeforeStop);
            Assert.Empty(probes.Recorder.Overlaps());
            var leases = await cluster.CreateClient("admin").CoordinationV1.ListNamespacedLeaseAsync(ns, labelSelector: $"{ShardTable.Label}=roost-keeper-controller-shards");
            Assert.DoesNotContain(leases.Items, l => l.Spec.HolderIdentity == "one"); // its membership Lease was deleted on the way out
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_stop_whose_token_is_already_cancelled_still_stops_the_coordinator()
    {
        await using var cluster = await TestCluster.StartAsync();
        var ns = await cluster.CreateNamespaceAsync();
        await using var host = new ReplicaHost("one", cluster.CreateClient("one"), ns, new LeadershipRecorder(), ha => ha.AddShardedLeadership(o => o.Shards = 2));
        await host.StartAsync();
        var ownership = host.Services.GetRequiredService<IShardOwnership>();
        await Eventually.UntilAsync(() => ownership.OwnedShards.Count == 2, "the only replica taking both shards", Patience);
        var sharding = host.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().Single(s => s.GetType().Name == "ShardingHostedService");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sharding.StopAsync(new CancellationToken(canceled: true)));

        // Stopped: the shards' work ends and is not taken up again (a loop left running would re-acquire them).
        await Eventually.UntilAsync(() => ownership.OwnedShards.Count == 0, "the shards' work to stop", Patience);
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.Empty(ownership.OwnedShards);
    }

    [Fact]
    public void OwnedShard_outside_a_shard_scope_says_where_it_resolves()
    {
        var services = new ServiceCollection();
        services.AddRoostHa(o => (o.LeaseName, o.LeaseNamespace, o.Identity) = ("lease", "ns", "me")).AddShardedLeadership();
        using var provider = services.BuildServiceProvider();
        using var scope = provider.CreateScope();

        var e = Assert.Throws<InvalidOperationException>(() => scope.ServiceProvider.GetRequiredService<OwnedShard>());

        Assert.Contains("only in the scope of a sharded hosted service", e.Message, StringComparison.Ordinal);
    }

    internal sealed class ProbeLog
    {
        public ConcurrentDictionary<(string Replica, int Shard), OwnedShard> Running { get; } = new();

        public ShardOwnershipRecorder Recorder { get; } = new();
    }

    internal sealed class ShardProbe(OwnedShard shard, ProbeLog log) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            log.Running[(shard.Identity, shard.Shard)] = shard;
            try
            {
                await log.Recorder.RunAsync(shard.Identity, shard.Shard, shard.Term, stoppingToken);
            }
            finally
            {
                log.Running.TryRemove((shard.Identity, shard.Shard), out _);
            }
        }
    }
}
