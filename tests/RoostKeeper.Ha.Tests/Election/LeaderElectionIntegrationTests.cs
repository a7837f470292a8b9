using System.Collections.Concurrent;
using System.Diagnostics;
using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Tests.Election;

/// <summary>Three replicas registered with AddRoostHa, on the SimulatedCluster (or a real cluster where no faults are needed).</summary>
public sealed class LeaderElectionIntegrationTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Three_replicas_elect_exactly_one_leader()
    {
        await using var cluster = await TestCluster.StartAsync();
        var ns = await cluster.CreateNamespaceAsync();
        var (replicas, leadership) = await StartReplicasAsync(cluster, ns);
        await using var _ = new Replicas(replicas);

        var leader = await WaitForLeaderAsync(replicas);
        for (var i = 0; i < 20; i++)
        {
            Assert.Single(replicas, r => r.Manager.IsLeader);
            await Task.Delay(100);
        }

        Assert.Equal(leader.Name, (await cluster.CreateClient().CoordinationV1.ReadNamespacedLeaseAsync("roost-keeper-controller", ns)).Spec.HolderIdentity);
        Assert.All(replicas, r => Assert.Equal(leader.Name, r.Manager.LeaderIdentity));
        Assert.All(replicas.Where(r => r != leader), r => Assert.Equal(0, r.StoppedCount));
        Assert.Single(leadership.Timeline().Intervals);
    }

    [Fact]
    public async Task IsElectionRunning_is_true_only_while_the_election_loop_runs()
    {
        await using var cluster = await TestCluster.StartAsync();
        var ns = await cluster.CreateNamespaceAsync();
        using var manager = new HaManager(cluster.CreateClient("solo"), new LeaderElectionOptions { LeaseName = "running", LeaseNamespace = ns, Identity = "solo" });
        Assert.False(manager.IsElectionRunning);

        using var stop = new CancellationTokenSource();
        var run = manager.StartLeaderElectionAsync(stop.Token);
        await Until(() => manager.IsLeader);
        Assert.True(manager.IsElectionRunning);
        await stop.CancelAsync();
        await run;
        Assert.False(manager.IsElectionRunning);
    }

    [Fact]
    public async Task Graceful_stop_of_the_leader_releases_and_another_replica_takes_over()
    {
        await using var cluster = await TestCluster.StartAsync();
        var ns = await cluster.CreateNamespaceAsync();
        var (replicas, leadership) = await StartReplicasAsync(cluster, ns);
        await using var _ = new Replicas(replicas);
        var leader = await WaitForLeaderAsync(replicas);
        var holders = new ConcurrentQueue<string>();
        using var watching = new CancellationTokenSource(Patience);
        // From the version read now: the server replays every later write however late the watch connects,
        // so the release cannot slip by before the watch is established.
        var observer = cluster.CreateClient("observer");
        var before = await observer.CoordinationV1.ReadNamespacedLeaseAsync("roost-keeper-controller", ns);
        var watch = RecordHoldersAsync(observer, ns, before.Metadata.ResourceVersion, holders, watching.Token);

        await leader.StopAsync();
        var next = await WaitForLeaderAsync(replicas.Where(r => r != leader).ToList());
        await Until(() => holders.LastOrDefault() == next.Name); // the watch may deliver the write after the writer saw its response
        await watching.CancelAsync();
        await watch;

        Assert.Equal(1, leader.StoppedCount);
        Assert.Contains("", holders);
        Assert.Equal(next.Name, holders.Last());
        Assert.Equal(1, next.Manager.Leadership!.Term);
        Assert.Empty(leadership.Timeline().Overlaps);
    }

    [SimulatedOnlyFact("fault injection")]
    public async Task Partitioned_leader_steps_down_before_any_other_replica_acts()
    {
        await using var cluster = await TestCluster.StartAsync();
        var ns = await cluster.CreateNamespaceAsync();
        var (replicas, leadership) = await StartReplicasAsync(cluster, ns);
        await using var _ = new Replicas(replicas);
        var leader = await WaitForLeaderAsync(replicas);
        await Task.Delay(ReplicaHost.RetryPeriod * 2);

        cluster.Simulation.Faults.Partition(leader.Name);
        var next = await WaitForLeaderAsync(replicas.Where(r => r != leader).ToList());

        var terms = leadership.Timeline().Intervals;
        var lost = terms.Single(t => t.Replica == leader.Name);
        var won = terms.Single(t => t.Replica == next.Name);
        Assert.NotNull(lost.End);
        Assert.True(lost.End < won.Start, $"{lost} ended after {won} began");
        Assert.False(leader.Manager.IsLeader);
        Assert.Equal(1, leader.StoppedCount);
        Assert.Equal(lost.Term + 1, won.Term);
    }

    [SimulatedOnlyFact("fault injection")]
    public async Task Healing_a_partitioned_leader_does_not_produce_two_leaders()
    {
        await using var cluster = await TestCluster.StartAsync();
        var ns = await cluster.CreateNamespaceAsync();
        var (replicas, leadership) = await StartReplicasAsync(cluster, ns);
        await using var _ = new Replicas(replicas);
        var leader = await WaitForLeaderAsync(replicas);
        cluster.Simulation.Faults.Partition(leader.Name);
        var next = await WaitForLeaderAsync(replicas.Where(r => r != leader).ToList());

        cluster.Simulation.Faults.Heal(leader.Name);
        for (var i = 0; i < 40; i++)
        {
            Assert.True(replicas.Count(r => r.Manager.IsLeader) <= 1);
            await Task.Delay(100);
        }

        Assert.True(next.Manager.IsLeader);
        Assert.False(leader.Manager.IsLeader);
        Assert.Equal(next.Name, leader.Manager.LeaderIdentity);
        Assert.Empty(leadership.Timeline().Overlaps);
    }

    [SimulatedOnlyFact("fault injection")]
    public async Task Replicas_survive_api_errors_and_keep_one_leader()
    {
        await using var cluster = await TestCluster.StartAsync();
        var ns = await cluster.CreateNamespaceAsync();
        var (replicas, leadership) = await StartReplicasAsync(cluster, ns);
        await using var _ = new Replicas(replicas);
        var leader = await WaitForLeaderAsync(replicas);

        // One failed renewal is within the deadline: the leader keeps its term.
        cluster.Simulation.Faults.FailNext(leader.Name, System.Net.HttpStatusCode.InternalServerError);
        await Task.Delay(ReplicaHost.RetryPeriod * 4);

        Assert.True(leader.Manager.IsLeader);
        Assert.Single(leadership.Timeline().Intervals);
    }

    [SimulatedOnlyFact("fault injection")]
    public async Task Slow_leader_whose_renewal_conflicts_steps_down_cleanly_and_one_leader_remains()
    {
        // The reproduction: the leader's renewal gets a 409 (labels churn) and, with 2 s of latency,
        // its re-read outlives the 3 s renew deadline.
        await using var cluster = await TestCluster.StartAsync();
        var ns = await cluster.CreateNamespaceAsync();
        var timings = (TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(500));
        var (replicas, leadership) = await StartReplicasAsync(cluster, ns, timings: timings);
        await using var _ = new Replicas(replicas);
        var leader = await WaitForLeaderAsync(replicas);
        var editor = cluster.CreateClient("editor");

        cluster.Simulation.Faults.AddLatency(leader.Name, TimeSpan.FromSeconds(2));
        var churn = Stopwatch.StartNew();
        for (var n = 0; churn.Elapsed < TimeSpan.FromSeconds(8); n++)
        {
            var labels = new V1Patch("{\"metadata\":{\"labels\":{\"churn\":\"" + n + "\"}}}", V1Patch.PatchType.MergePatch);
            await editor.CoordinationV1.PatchNamespacedLeaseAsync(labels, "roost-keeper-controller", ns);
            await Task.Delay(20);
        }

        cluster.Simulation.Faults.AddLatency(leader.Name, TimeSpan.Zero);

        // Settles on one leader, the one the Lease names, and every term that ended was stepped down from.
        await Until(() => replicas.Count(r => r.Manager.IsLeader) == 1 && leadership.Timeline().Intervals.Count(t => t.End is null) == 1);
        var timeline = leadership.Timeline();
        var terms = timeline.Intervals;
        var current = replicas.Single(r => r.Manager.IsLeader);
        Assert.NotNull(terms.First(t => t.Replica == leader.Name).End); // the slow leader's term did end
        Assert.Equal(current.Name, (await editor.CoordinationV1.ReadNamespacedLeaseAsync("roost-keeper-controller", ns)).Spec.HolderIdentity);
        Assert.All(replicas, r => Assert.Equal(terms.Count(t => t.Replica == r.Name && t.End is not null), r.StoppedCount));
        Assert.Empty(timeline.Overlaps);

        // Every replica still competes: stopping the current leader hands the Lease on.
        await current.StopAsync();
        await WaitForLeaderAsync(replicas.Where(r => r != current).ToList());
    }

    [Fact]
    public async Task Leader_hosted_service_runs_only_on_the_leader_and_moves_with_leadership()
    {
        await using var cluster = await TestCluster.StartAsync();
        var ns = await cluster.CreateNamespaceAsync();
        var running = new ConcurrentDictionary<string, int>();
        var (replicas, _) = await StartReplicasAsync(cluster, ns, (name, ha) =>
        {
            ha.Services.AddSingleton(new WorkerProbe(name, running));
            ha.AddLeaderHostedService<ProbeWorker>();
        });
        await using var _ = new Replicas(replicas);
        var leader = await WaitForLeaderAsync(replicas);
        await Until(() => running.GetValueOrDefault(leader.Name) == 1);

        Assert.All(replicas.Where(r => r != leader), r => Assert.Equal(0, running.GetValueOrDefault(r.Name)));

        await leader.StopAsync();
        var next = await WaitForLeaderAsync(replicas.Where(r => r != leader).ToList());
        await Until(() => running.GetValueOrDefault(next.Name) == 1);
        Assert.Equal(0, running.GetValueOrDefault(leader.Name));
    }

    [Fact]
    public async Task Mixed_fleet_with_KubernetesClient_LeaderElector_never_has_two_leaders()
    {
        await using var cluster = await TestCluster.StartAsync();
        var ns = await cluster.CreateNamespaceAsync();
        var leadership = new LeadershipRecorder();

        // KubernetesClient's elector leads first.
        var theirClient = cluster.CreateClient("kubernetesclient");
        var theirs = new LeaderElector(new LeaderElectionConfig(new LeaseLock(theirClient, ns, "roost-keeper-controller", "kubernetesclient"))
        {
            LeaseDuration = ReplicaHost.LeaseDuration,
            RenewDeadline = ReplicaHost.RenewDeadline,
            RetryPeriod = ReplicaHost.RetryPeriod,
        });
        var theirStart = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        theirs.OnStartedLeading += () =>
        {
            leadership.Started("kubernetesclient");
            theirStart.TrySetResult();
        };
        theirs.OnStoppedLeading += () => leadership.Stopped("kubernetesclient");
        using var theirCancel = new CancellationTokenSource();
        var theirRun = theirs.RunUntilLeadershipLostAsync(theirCancel.Token);
        await theirStart.Task.WaitAsync(Patience);

        await using var ours = new ReplicaHost("ours", cluster.CreateClient("ours"), ns, leadership);
        await ours.StartAsync();
        await Task.Delay(ReplicaHost.LeaseDuration * 2);
        Assert.False(ours.Manager.IsLeader);
        Assert.Equal("kubernetesclient", ours.Manager.LeaderIdentity);

        // Theirs stops without releasing (KubernetesClient never releases): ours waits for expiry, then leads.
        await theirCancel.CancelAsync();
        try
        {
            await theirRun;
        }
        catch (OperationCanceledException)
        {
        }

        var stoppedAt = leadership.Now;
        await WaitForLeaderAsync([ours]);
        var timeline = leadership.Timeline();
        var term = Assert.Single(timeline.Intervals, t => t.Replica == "ours");
        Assert.True(term.Start > stoppedAt);
        Assert.Equal(1, term.Term);
        Assert.Empty(timeline.Overlaps);
        theirs.Dispose();
    }

    private static async Task<(List<ReplicaHost> Replicas, LeadershipRecorder Leadership)> StartReplicasAsync(
        TestCluster cluster, string ns, Action<string, IRoostHaBuilder>? configure = null, (TimeSpan Lease, TimeSpan Renew, TimeSpan Retry)? timings = null)
    {
        var leadership = new LeadershipRecorder();
        var replicas = new List<ReplicaHost>();
        foreach (var name in new[] { "replica-a", "replica-b", "replica-c" })
        {
            var replica = new ReplicaHost(name, cluster.CreateClient(name), ns, leadership, configure is null ? null : ha => configure(name, ha), timings);
            replicas.Add(replica);
            await replica.StartAsync();
        }

        return (replicas, leadership);
    }

    private static async Task<ReplicaHost> WaitForLeaderAsync(IReadOnlyList<ReplicaHost> candidates)
    {
        ReplicaHost? leader = null;
        await Until(() => (leader = candidates.FirstOrDefault(r => r.Manager.IsLeader)) is not null);
        return leader!;
    }

    private static Task Until(Func<bool> condition) =>
        Eventually.UntilAsync(condition, "the condition to become true", Patience, TimeSpan.FromMilliseconds(25));

    private static async Task RecordHoldersAsync(IKubernetes client, string ns, string resourceVersion, ConcurrentQueue<string> holders, CancellationToken token)
    {
        try
        {
            await foreach (var (_, lease) in client.CoordinationV1.WatchListNamespacedLeaseAsync(ns, fieldSelector: "metadata.name=roost-keeper-controller", resourceVersion: resourceVersion, cancellationToken: token))
            {
                holders.Enqueue(lease.Spec.HolderIdentity ?? "");
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (HttpRequestException) when (token.IsCancellationRequested)
        {
        }
    }

    private sealed class Replicas(List<ReplicaHost> replicas) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }
        }
    }

    internal sealed record WorkerProbe(string Replica, ConcurrentDictionary<string, int> Running);

    internal sealed class ProbeWorker(WorkerProbe probe) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            probe.Running.AddOrUpdate(probe.Replica, 1, (_, n) => n + 1);
            try
            {
                await Task.Delay(Timeout.Infinite, stoppingToken);
            }
            finally
            {
                probe.Running.AddOrUpdate(probe.Replica, 0, (_, n) => n - 1);
            }
        }
    }
}
