namespace RoostKeeper.Ha.Testing;

/// <summary>
/// Records, per shard, when each replica's work for it starts and ends, on one clock shared by all replicas, so a test
/// can check that no shard was ever worked on by two replicas at once (<see cref="Overlaps"/>): what
/// <see cref="LeadershipRecorder"/> is for the single leader, for sharded leadership. Thread-safe.
/// </summary>
/// <remarks>
/// Record from the shard's work, not from the shard table: what matters is when the work may act. With RoostKeeper.Ha:
/// <code>
/// builder.OnShardAcquired((shard, token) => recorder.RunAsync("replica-a", shard.Shard, shard.Term, token, ReconcileShardAsync));
/// </code>
/// An interval runs from the start of the work to its end (the returned task completing), not to the token's
/// cancellation: work that ignores its token overlaps its successor, and the recorder reports it.
/// </remarks>
public sealed partial class ShardOwnershipRecorder
{
    private readonly object _gate = new();
    private readonly List<Entry> _intervals = [];
    private readonly TimeProvider _time;
    private readonly long _origin;

    /// <summary>Starts a recorder whose clock reads zero now.</summary>
    /// <param name="timeProvider">The reference clock; <see cref="TimeProvider.System"/> by default.</param>
    public ShardOwnershipRecorder(TimeProvider? timeProvider = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        _origin = _time.GetTimestamp();
    }

    /// <summary>The recorder's clock: time since it was created.</summary>
    public TimeSpan Now => _time.GetElapsedTime(_origin);

    /// <summary>Records that <paramref name="replica"/> started working on <paramref name="shard"/>; disposing the result records the end.</summary>
    /// <param name="replica">The replica's identity.</param>
    /// <param name="shard">The shard.</param>
    /// <param name="term">The shard's term (from the shard table).</param>
    /// <returns>A handle whose disposal ends the interval (only the first disposal counts).</returns>
    public IDisposable Started(string replica, int shard, long term)
    {
        ArgumentNullException.ThrowIfNull(replica);
        var entry = new Entry(replica, shard, term, Now);
        lock (_gate)
        {
            _intervals.Add(entry);
        }

        return new Ending(this, entry);
    }

    /// <summary>
    /// Runs <paramref name="work"/> (by default: waits for <paramref name="token"/>) as <paramref name="replica"/>'s work
    /// on <paramref name="shard"/>, recording the interval from now until it completes.
    /// </summary>
    /// <param name="replica">The replica's identity.</param>
    /// <param name="shard">The shard.</param>
    /// <param name="term">The shard's term.</param>
    /// <param name="token">The shard's token.</param>
    /// <param name="work">The work; null to wait for the token.</param>
    /// <returns>The work's task; a cancellation of <paramref name="token"/> ends it normally.</returns>
    public async Task RunAsync(string replica, int shard, long term, CancellationToken token, Func<CancellationToken, Task>? work = null)
    {
        using (Started(replica, shard, term))
        {
            try
            {
                await (work ?? (t => Task.Delay(Timeout.Infinite, t)))(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
            }
        }
    }

    /// <summary>Every interval recorded so far, in start order (an open interval has no end).</summary>
    public IReadOnlyList<Interval> Intervals
    {
        get
        {
            lock (_gate)
            {
                return _intervals.Select(e => e.ToInterval()).ToList();
            }
        }
    }

    /// <summary>The replicas working on each shard now (more than one is an overlap in progress).</summary>
    /// <returns>Shard → replicas with an open interval, for the shards that have one.</returns>
    public IReadOnlyDictionary<int, IReadOnlyList<string>> CurrentHolders()
    {
        lock (_gate)
        {
            return _intervals.Where(e => e.End is null)
                .GroupBy(e => e.Shard)
                .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(e => e.Replica).ToList());
        }
    }

    /// <summary>Every pair of intervals of one shard on two replicas that overlap in time (an open interval runs on); empty when the protocol held.</summary>
    /// <returns>The overlaps, by shard then start.</returns>
    public IReadOnlyList<Overlap> Overlaps()
    {
        var intervals = Intervals;
        var overlaps = new List<Overlap>();
        foreach (var shard in intervals.GroupBy(i => i.Shard).OrderBy(g => g.Key))
        {
            var list = shard.OrderBy(i => i.Start).ToList();
            for (var a = 0; a < list.Count; a++)
            {
                for (var b = a + 1; b < list.Count; b++)
                {
                    var (first, second) = (list[a], list[b]);
                    if (first.Replica != second.Replica && second.Start < (first.End ?? TimeSpan.MaxValue) && first.Start < (second.End ?? TimeSpan.MaxValue))
                    {
                        overlaps.Add(new Overlap(shard.Key, first, second));
                    }
                }
            }
        }

        return overlaps;
    }

    private void End(Entry entry)
    {
        lock (_gate)
        {
            entry.End ??= Now;
        }
    }

    private sealed class Entry(string replica, int shard, long term, TimeSpan start)
    {
        public string Replica { get; } = replica;

        public int Shard { get; } = shard;

        public long Term { get; } = term;

        public TimeSpan Start { get; } = start;

        public TimeSpan? End { get; set; }

        public Interval ToInterval() => new(Replica, Shard, Term, Start, End);
    }

    private sealed class Ending(ShardOwnershipRecorder recorder, Entry entry) : IDisposable
    {
        public void Dispose() => recorder.End(entry);
    }
}
