using System.Collections.Concurrent;
using RoostKeeper.Ha.Chaos.Fleet;
using RoostKeeper.Ha.Sharding;

namespace RoostKeeper.Ha.Benchmarks.Sharding;

/// <summary>
/// A controller's reconcile loop over a fixed set of keys: each replica runs a bounded pool of workers that walk
/// the keys and reconcile those it owns (sharded: <see cref="IShardOwnership.Owns(string)"/>; single leader: while
/// it leads), each reconcile being <see cref="Io"/> of simulated I/O (<c>Task.Delay</c>) under the shard's (or
/// term's) token. A shard's <c>OnShardAcquired</c> work returns only when the replica's reconciles of that shard
/// have ended, so the shard is released after its work drained, as a real controller's queue would do it. Every
/// reconcile claims its key in a table shared by all replicas: a claim that finds the key held by another replica
/// is a key reconciled by two replicas at once (<see cref="Doubles"/>, which must stay 0).
/// </summary>
internal sealed class ReconcileWorkload
{
    private readonly int[] _reconciling;
    private readonly int[] _done;
    private readonly ConcurrentDictionary<ShardedReplica, ReplicaState> _states = new();
    private long _completed;
    private long _doubles;
    private long _passDone;
    private int _pass;
    private int _nextId;

    public ReconcileWorkload(int keys, TimeSpan io, int workersPerReplica)
    {
        Keys = [.. Enumerable.Range(0, keys).Select(i => $"bench/object-{i:D5}")];
        Io = io;
        WorkersPerReplica = workersPerReplica;
        _reconciling = new int[keys];
        _done = new int[keys];
    }

    public IReadOnlyList<string> Keys { get; }

    public TimeSpan Io { get; }

    public int WorkersPerReplica { get; }

    public long Completed => Interlocked.Read(ref _completed);

    public long Doubles => Interlocked.Read(ref _doubles);

    /// <summary>Keys reconciled in the current pass (<see cref="StartPass"/>).</summary>
    public long PassDone => Interlocked.Read(ref _passDone);

    /// <summary>Reconciles completed per replica name since the last <see cref="Reset"/>.</summary>
    public IReadOnlyDictionary<string, long> CompletedBy() => _states.ToDictionary(p => p.Key.Name, p => Interlocked.Read(ref p.Value.Completed));

    public void Reset()
    {
        Interlocked.Exchange(ref _completed, 0);
        foreach (var state in _states.Values)
        {
            Interlocked.Exchange(ref state.Completed, 0);
        }
    }

    /// <summary>From now on every key is reconciled once more and then left alone, until <see cref="EndPass"/>.</summary>
    public void StartPass()
    {
        Array.Clear(_done);
        Interlocked.Exchange(ref _passDone, 0);
        Volatile.Write(ref _pass, 1);
    }

    public void EndPass() => Volatile.Write(ref _pass, 0);

    /// <summary>The setup that makes a replica drain its reconciles before it gives a shard (or its term) up.</summary>
    public ShardedSetup Setup(bool sharded, int shards, TimeSpan drainTimeout) => new(sharded, shards, drainTimeout)
    {
        ShardWork = (replica, shard, token) => DrainAsync(State(replica), shard.Shard, token),
        LeaderWork = (replica, token) => DrainAsync(State(replica), 0, token),
    };

    /// <summary>Runs the replica's worker pool until <paramref name="stop"/>.</summary>
    public Task RunAsync(ShardedReplica replica, bool sharded, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, WorkersPerReplica).Select(_ => Task.Run(() => WorkAsync(replica, sharded, stop), CancellationToken.None)));

    private ReplicaState State(ShardedReplica replica) => _states.GetOrAdd(replica, _ => new ReplicaState(Interlocked.Increment(ref _nextId)));

    private async Task WorkAsync(ShardedReplica replica, bool sharded, CancellationToken stop)
    {
        var state = State(replica);
        var misses = 0;
        while (!stop.IsCancellationRequested)
        {
            if (misses >= Keys.Count)
            {
                // Nothing of ours to do (a follower of the single leader, or between shards): do not spin.
                misses = 0;
                await Pause(TimeSpan.FromMilliseconds(10), stop);
                continue;
            }

            var i = (int)((uint)Interlocked.Increment(ref state.Cursor) % (uint)Keys.Count);
            var key = Keys[i];
            CancellationToken token;
            int slot;
            if (sharded)
            {
                var ownership = replica.Ownership;
                if (ownership is null || !ownership.Owns(key) || ownership.Find(ownership.ShardOf(key)) is not { } owned)
                {
                    misses++;
                    continue;
                }

                (token, slot) = (owned.Token, owned.Shard);
            }
            else
            {
                (token, slot) = (replica.LeaderToken, 0);
            }

            if (token.IsCancellationRequested || (Volatile.Read(ref _pass) == 1 && Volatile.Read(ref _done[i]) == 1))
            {
                misses++;
                continue;
            }

            // Counted in flight before the token is checked again, so a drain that has seen the token cancelled
            // and the count at zero cannot be followed by a reconcile of this shard here.
            Interlocked.Increment(ref state.InFlight[slot]);
            try
            {
                if (token.IsCancellationRequested)
                {
                    continue;
                }

                var holder = Interlocked.CompareExchange(ref _reconciling[i], state.Id, 0);
                if (holder != 0)
                {
                    if (holder != state.Id)
                    {
                        Interlocked.Increment(ref _doubles);
                    }

                    misses++;
                    continue;
                }

                try
                {
                    var pass = Volatile.Read(ref _pass) == 1;
                    if (pass && Interlocked.Exchange(ref _done[i], 1) == 1)
                    {
                        continue;
                    }

                    try
                    {
                        await Task.Delay(Io, token);
                    }
                    catch (OperationCanceledException)
                    {
                        if (pass)
                        {
                            Volatile.Write(ref _done[i], 0);
                        }

                        continue;
                    }

                    misses = 0;
                    Interlocked.Increment(ref _completed);
                    Interlocked.Increment(ref state.Completed);
                    if (pass)
                    {
                        Interlocked.Increment(ref _passDone);
                    }
                }
                finally
                {
                    Volatile.Write(ref _reconciling[i], 0);
                }
            }
            finally
            {
                Interlocked.Decrement(ref state.InFlight[slot]);
            }
        }
    }

    private static async Task DrainAsync(ReplicaState state, int slot, CancellationToken token)
    {
        await Pause(Timeout.InfiniteTimeSpan, token);
        while (Volatile.Read(ref state.InFlight[slot]) > 0)
        {
            await Task.Delay(1, CancellationToken.None);
        }
    }

    private static async Task Pause(TimeSpan delay, CancellationToken token)
    {
        try
        {
            await Task.Delay(delay, token);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private sealed class ReplicaState(int id)
    {
        public readonly int Id = id;
        public readonly int[] InFlight = new int[1024];
        public int Cursor = Random.Shared.Next();
        public long Completed;
    }
}
