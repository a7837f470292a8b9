using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using RoostKeeper.Ha.Chaos.Clocks;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Chaos.Fleet;

/// <summary>The replicas of one run competing for one Lease on their own SimulatedCluster, and the recorder they share.</summary>
internal sealed class ChaosFleet : IAsyncDisposable
{
    public const string Namespace = "chaos";
    public const string LeaseName = "chaos-lease";

    private ChaosFleet(SimulatedCluster cluster, IReadOnlyList<ChaosReplica> replicas, LeadershipRecorder recorder)
    {
        Cluster = cluster;
        Replicas = replicas;
        Recorder = recorder;
    }

    public SimulatedCluster Cluster { get; }

    public IReadOnlyList<ChaosReplica> Replicas { get; }

    public LeadershipRecorder Recorder { get; }

    /// <summary>
    /// Starts a cluster and <paramref name="ours"/> + <paramref name="theirs"/> replicas (not yet running). Each
    /// of ours gets a clock running at its rate from <paramref name="rates"/>.
    /// </summary>
    public static async Task<ChaosFleet> CreateAsync(int ours, int theirs, ElectionTimings timings, IReadOnlyList<double> rates, ILoggerFactory? loggerFactory, CancellationToken cancellationToken)
    {
        var cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { RunControllers = false }, cancellationToken);
        try
        {
            await cluster.CreateClient("setup").CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Namespace } }, cancellationToken: cancellationToken);
            var recorder = new LeadershipRecorder();
            var replicas = new List<ChaosReplica>();
            for (var i = 0; i < ours + theirs; i++)
            {
                var name = $"replica-{i + 1}";
                var client = cluster.CreateClient(name);
                replicas.Add(i < ours
                    ? new OurReplica(name, client, Namespace, LeaseName, timings, recorder, new DriftingTimeProvider(rates[i]), loggerFactory)
                    : new TheirReplica(name, client, Namespace, LeaseName, timings, recorder));
            }

            return new ChaosFleet(cluster, replicas, recorder);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public ChaosReplica? Leader => Recorder.CurrentLeader is { } name ? Replicas.FirstOrDefault(r => r.Name == name) : null;

    public void StartAll()
    {
        foreach (var replica in Replicas)
        {
            replica.Start();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in Replicas)
        {
            Cluster.Faults.Clear(replica.Name);
        }

        await Task.WhenAll(Replicas.Select(r => r.StopAsync()));
        await Cluster.DisposeAsync();
    }
}
