using System.Diagnostics.Metrics;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using RoostKeeper.Ha.Diagnostics;
using RoostKeeper.Ha.Election;

namespace RoostKeeper.Ha.Tests.Election;

/// <summary>The elector's Lease operations through KubernetesClient against a real API (simulated or not).</summary>
public sealed class KubernetesLeaseClientTests
{
    [Fact]
    public async Task Quiet_watch_ended_by_the_server_is_resumed_without_counting_a_failure()
    {
        await using var cluster = await TestCluster.StartAsync();
        var ns = await cluster.CreateNamespaceAsync();
        var client = cluster.CreateClient("follower");

        // A holder with a long lease that it does not renew during the test: the follower's watch sees nothing.
        await client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = "quiet" },
            Spec = new V1LeaseSpec { HolderIdentity = "someone-else", LeaseDurationSeconds = 3600, RenewTime = DateTime.UtcNow, LeaseTransitions = 0 },
        }, ns);

        using var metrics = new ElectionMetrics();
        var failures = 0L;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter == metrics.Meter && instrument.Name == "roost_keeper.leader_election.failures")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref failures, value));
        listener.Start();

        var settings = new ElectionSettings("follower", ns, "quiet", TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2), true, TimeSpan.FromSeconds(5), null);
        using var manager = new HaManager(new KubernetesLeaseClient(client, ns, "quiet", watchTimeoutSeconds: 1), settings, NullLoggerFactory.Instance, TimeProvider.System, metrics);
        using var stop = new CancellationTokenSource();
        var run = manager.StartLeaderElectionAsync(stop.Token);

        await Task.Delay(TimeSpan.FromSeconds(4)); // several server-side watch timeouts
        var status = await manager.GetStatusAsync();
        await stop.CancelAsync();
        await run;

        Assert.True(status.IsWatching);
        Assert.Equal("someone-else", status.LeaderIdentity);
        Assert.Equal(0, Interlocked.Read(ref failures));
    }
}
