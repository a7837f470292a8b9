using RoostKeeper.Ha.Chaos.Fleet;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Benchmarks.Failover;

/// <summary>The replicas of one elector competing for one Lease, with the recorder of their leadership.</summary>
internal sealed class ReplicaGroup
{
    public const string Ours = "RoostKeeper.Ha";
    public const string Theirs = "KubernetesClient LeaderElector";

    private ReplicaGroup(string elector, IReadOnlyList<ChaosReplica> replicas, LeadershipRecorder log)
    {
        Elector = elector;
        Replicas = replicas;
        Log = log;
    }

    public string Elector { get; }

    public IReadOnlyList<ChaosReplica> Replicas { get; }

    public LeadershipRecorder Log { get; }

    public static ReplicaGroup Create(bool ours, SimulatedCluster cluster, string leaseNamespace, string prefix, int count, ElectionTimings timings, LeadershipRecorder log)
    {
        var leaseName = $"{prefix}-lease";
        var replicas = Enumerable.Range(1, count).Select(i =>
        {
            var name = $"{prefix}-{i}";
            var client = cluster.CreateClient(name);
            return ours
                ? (ChaosReplica)new OurReplica(name, client, leaseNamespace, leaseName, timings, log)
                : new TheirReplica(name, client, leaseNamespace, leaseName, timings, log);
        }).ToList();
        return new ReplicaGroup(ours ? Ours : Theirs, replicas, log);
    }

    public ChaosReplica? Find(string? name) => Replicas.FirstOrDefault(r => r.Name == name);

    public void StartAll()
    {
        foreach (var replica in Replicas)
        {
            replica.Start();
        }
    }

    public Task StopAllAsync() => Task.WhenAll(Replicas.Select(r => r.StopAsync()));

    /// <summary>Waits until some replica leads and returns it.</summary>
    public async Task<ChaosReplica> WaitForLeaderAsync(TimeSpan timeout)
    {
        try
        {
            return Find(await Log.WaitForLeaderAsync(timeout))!;
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No {Elector} replica became leader within {timeout.TotalSeconds:0} s.");
        }
    }

    /// <summary>The first leadership interval that starts at or after <paramref name="after"/> on a replica other than <paramref name="except"/>; null if none within <paramref name="timeout"/>.</summary>
    public async Task<LeadershipInterval?> WaitForStartAsync(TimeSpan after, string except, TimeSpan timeout)
    {
        var deadline = Log.Now + timeout;
        while (true)
        {
            // The interval's start is stamped when it happened; polling only decides when we look.
            if (Log.Timeline().Intervals.FirstOrDefault(i => i.Start >= after && i.Replica != except) is { } found)
            {
                return found;
            }

            if (Log.Now >= deadline)
            {
                return null;
            }

            await Task.Delay(10);
        }
    }
}
