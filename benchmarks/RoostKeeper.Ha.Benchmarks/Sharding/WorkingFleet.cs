using RoostKeeper.Ha.Chaos.Fleet;

namespace RoostKeeper.Ha.Benchmarks.Sharding;

/// <summary>A <see cref="ShardedFleet"/> at the default timings with a <see cref="ReconcileWorkload"/> on every replica.</summary>
internal sealed class WorkingFleet : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _workers = [];

    private WorkingFleet(ShardedFleet fleet, ReconcileWorkload workload, bool sharded)
    {
        Fleet = fleet;
        Workload = workload;
        Sharded = sharded;
    }

    public ShardedFleet Fleet { get; }

    public ReconcileWorkload Workload { get; }

    public bool Sharded { get; }

    public static async Task<WorkingFleet> StartAsync(int replicas, bool sharded, ShardingSettings settings, ReconcileWorkload workload, ElectionTimings timings)
    {
        var fleet = await ShardedFleet.CreateAsync(replicas, timings, workload.Setup(sharded, settings.Shards, TimeSpan.FromSeconds(10)));
        var working = new WorkingFleet(fleet, workload, sharded);
        foreach (var replica in fleet.Replicas)
        {
            working.Start(replica);
        }

        return working;
    }

    /// <summary>Starts a replica and its workers.</summary>
    public void Start(ShardedReplica replica)
    {
        replica.Start();
        lock (_workers)
        {
            _workers.Add(Workload.RunAsync(replica, Sharded, _stop.Token));
        }
    }

    /// <summary>Sharded: every shard worked on and balanced over the running replicas; single: a leader.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        var ready = Sharded
            ? await Fleet.Shards.WaitUntilAsync(s => Failed() || ShardedFleet.Balanced(s, Fleet.Live.Select(r => r.Name).ToList()), timeout)
            : await Fleet.Shards.WaitUntilAsync(_ => Failed() || Fleet.Recorder.CurrentLeader is not null, timeout);
        if (Fleet.Replicas.FirstOrDefault(r => r.LastFailure is not null) is { } failed)
        {
            throw new InvalidOperationException($"Replica {failed.Name} failed: {failed.LastFailure!.GetType().Name}: {failed.LastFailure.Message}", failed.LastFailure);
        }

        if (!ready)
        {
            throw new TimeoutException($"Not ready within {timeout.TotalSeconds:0} s: {(Sharded ? $"shards held by [{string.Join(", ", Fleet.Shards.HoldersNow().Select(h => h ?? "-"))}]" : "no leader")}.");
        }
    }

    private bool Failed() => Fleet.Replicas.Any(r => r.LastFailure is not null);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Task[] workers;
        lock (_workers)
        {
            workers = [.. _workers];
        }

        await Task.WhenAll(workers);
        await Fleet.DisposeAsync();
        _stop.Dispose();
    }
}
