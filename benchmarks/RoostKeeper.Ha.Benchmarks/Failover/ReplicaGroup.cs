using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Benchmarks.Failover;

/// <summary>The replicas of one elector competing for one Lease, with their leadership log.</summary>
internal sealed class ReplicaGroup
{
    public const string Ours = "RoostKeeper.Ha";
    public const string Theirs = "KubernetesClient LeaderElector";

    private ReplicaGroup(string elector, IReadOnlyList<Replica> replicas, LeadershipLog log)
    {
        Elector = elector;
        Replicas = replicas;
        Log = log;
    }

    public string Elector { get; }

    public IReadOnlyList<Replica> Replicas { get; }

    public LeadershipLog Log { get; }

    public static ReplicaGroup Create(bool ours, SimulatedCluster cluster, string leaseNamespace, string prefix, int count, ElectionTimings timings, LeadershipLog log)
    {
        var leaseName = $"{prefix}-lease";
        var replicas = Enumerable.Range(1, count).Select(i =>
        {
            var name = $"{prefix}-{i}";
            var client = cluster.CreateClient(name);
            return ours
                ? (Replica)new OurReplica(name, client, leaseNamespace, leaseName, timings, log)
                : new TheirReplica(name, client, leaseNamespace, leaseName, timings, log);
        }).ToList();
        return new ReplicaGroup(ours ? Ours : Theirs, replicas, log);
    }

    public Replica? Find(string? name) => Replicas.FirstOrDefault(r => r.Name == name);

    public void StartAll()
    {
        foreach (var replica in Replicas)
        {
            replica.Start();
        }
    }

    public Task StopAllAsync() => Task.WhenAll(Replicas.Select(r => r.StopAsync()));

    /// <summary>Waits until some replica leads and returns it.</summary>
    public async Task<Replica> WaitForLeaderAsync(TimeSpan timeout)
    {
        var deadline = Log.Now + timeout;
        while (Log.Now < deadline)
        {
            if (Find(Log.CurrentLeader()) is { } leader)
            {
                return leader;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"No {Elector} replica became leader within {timeout.TotalSeconds:0} s.");
    }
}
