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
        Ownership = new ShardOwnershipRecorder();
    }

    public SimulatedCluster Cluster { get; }

    public LeadershipRecorder Recorder { get; }

    public ShardIntervalRecorder Shards { get; }

    /// <summary>The library's recorder of the same work: the overlap check (its intervals end only when the work returned).</summary>
    public ShardOwnershipRecorder Ownership { get; }

    /// <summary>
    /// Overlapping intervals of one shard as the library's recorder sees them, on the runner recorder's time axis
    /// (both started together; the offset is the microseconds between their constructors).
    /// </summary>
    public IReadOnlyList<ShardOverlap> Overlaps() =>
        [.. Ownership.Overlaps().Select(o => new ShardOverlap(Map(o.First), Map(o.Second), Shared(o.First, o.Second)))];

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
            var replica = new ShardedReplica(name, Cluster.CreateClient, Namespace, LeaseName, _timings, Recorder, Shards, Ownership, _setup, _clock(index), _loggerFactory);
            _replicas.Add(replica);
            return replica;
        }
    }

    private static ShardInterval Map(ShardOwnershipRecorder.Interval i) => new(i.Replica, i.Shard, i.Term, i.Start, i.End);

    private TimeSpan Shared(ShardOwnershipRecorder.Interval a, ShardOwnershipRecorder.Interval b)
    {
        var now = Ownership.Now;
        var start = a.Start > b.Start ? a.Start : b.Start;
        var end = (a.End ?? now) < (b.End ?? now) ? a.End ?? now : b.End ?? now;
        return end - start;
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
