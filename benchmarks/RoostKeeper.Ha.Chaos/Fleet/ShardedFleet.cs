using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using RoostKeeper.Ha.Chaos.Sharding;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Chaos.Fleet;

/// <summary>
/// Sharded replicas on their own SimulatedCluster, sharing a LeadershipRecorder (the election) and a
/// <see cref="ShardIntervalRecorder"/> (the shards). Replicas can be added while it runs (a join).
/// </summary>
internal sealed class ShardedFleet : IAsyncDisposable
{
    public const string Namespace = "chaos";
    public const string LeaseName = "chaos-lease";

    private readonly object _gate = new();
    private readonly List<ShardedReplica> _replicas = [];
    private readonly ElectionTimings _timings;
    private readonly ShardedSetup _setup;
    private readonly Func<int, TimeProvider?> _clock;
    private readonly ILoggerFactory? _loggerFactory;

    private ShardedFleet(SimulatedCluster cluster, ElectionTimings timings, ShardedSetup setup, Func<int, TimeProvider?> clock, ILoggerFactory? loggerFactory)
    {
        Cluster = cluster;
        _timings = timings;
        _setup = setup;
        _clock = clock;
        _loggerFactory = loggerFactory;
        Recorder = new LeadershipRecorder();
        Shards = new ShardIntervalRecorder(setup.Shards);
    }

    public SimulatedCluster Cluster { get; }

    public LeadershipRecorder Recorder { get; }

    public ShardIntervalRecorder Shards { get; }

    public ShardedSetup Setup => _setup;

    public IReadOnlyList<ShardedReplica> Replicas
    {
        get
        {
            lock (_gate)
            {
                return [.. _replicas];
            }
        }
    }

    /// <summary>The replicas that run and are not cut off: the ones shards should be spread over.</summary>
    public IReadOnlyList<ShardedReplica> Live => [.. Replicas.Where(r => r.Running && !Cluster.Faults.IsPartitioned(r.FaultName))];

    public ShardedReplica? Leader => Recorder.CurrentLeader is { } name ? Replicas.FirstOrDefault(r => r.Name == name) : null;

    /// <summary>Starts a cluster and <paramref name="replicas"/> replicas (not yet running); <paramref name="clock"/> gives replica i its clock (null: the system's).</summary>
    public static async Task<ShardedFleet> CreateAsync(int replicas, ElectionTimings timings, ShardedSetup setup, Func<int, TimeProvider?>? clock = null, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        var cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { RunControllers = false }, cancellationToken);
        try
        {
            await cluster.CreateClient("setup").CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Namespace } }, cancellationToken: cancellationToken);
            var fleet = new ShardedFleet(cluster, timings, setup, clock ?? (_ => null), loggerFactory);
            for (var i = 0; i < replicas; i++)
            {
                fleet.Add();
            }

            return fleet;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Adds a replica (not yet running) named <c>replica-{n}</c>.</summary>
    public ShardedReplica Add()
    {
        lock (_gate)
        {
            var index = _replicas.Count;
            var name = $"replica-{index + 1}";
            var replica = new ShardedReplica(name, Cluster.CreateClient, Namespace, LeaseName, _timings, Recorder, Shards, _setup, _clock(index), _loggerFactory);
            _replicas.Add(replica);
            return replica;
        }
    }

    public void StartAll()
    {
        foreach (var replica in Replicas)
        {
            replica.Start();
        }
    }

    /// <summary>
    /// Whether the shards are settled over <paramref name="live"/>: every shard worked on by exactly one of them
    /// (none by anyone else) and each owning ⌊N/R⌋ or ⌈N/R⌉, so max − min ≤ 1.
    /// </summary>
    public static bool Balanced(ShardIntervalRecorder shards, IReadOnlyCollection<string> live)
    {
        if (live.Count == 0)
        {
            return false;
        }

        var holders = shards.HoldersNow();
        if (holders.Any(h => h is null || !live.Contains(h)))
        {
            return false;
        }

        var owned = shards.OwnedNow();
        var counts = live.Select(r => owned.TryGetValue(r, out var n) ? n : 0).ToList();
        return counts.Max() - counts.Min() <= 1;
    }

    public ValueTask DisposeAsync() => DisposeAsync(graceful: true);

    /// <summary>Stops every replica (gracefully, or all at once as a crash when the results are in) and the cluster.</summary>
    public async ValueTask DisposeAsync(bool graceful)
    {
        foreach (var replica in Replicas)
        {
            if (graceful)
            {
                Cluster.Faults.Clear(replica.FaultName);
            }
        }

        await Task.WhenAll(Replicas.Select(r => graceful ? r.StopAsync() : r.CrashAsync(Cluster.Faults)));
        await Cluster.DisposeAsync();
    }
}
