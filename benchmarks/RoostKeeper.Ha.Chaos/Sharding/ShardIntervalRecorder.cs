namespace RoostKeeper.Ha.Chaos.Sharding;

/// <summary>
/// One replica's ownership of one shard: from <c>OnShardAcquired</c> to the end of the shard's work, and when its
/// token was cancelled (null if it was not, or not recorded).
/// </summary>
internal sealed record ShardInterval(string Replica, int Shard, long Term, TimeSpan Start, TimeSpan? End, TimeSpan? Cancelled = null)
{
    public TimeSpan EndOr(TimeSpan openUntil) => End ?? openUntil;

    /// <summary>The interval that ends when the token was cancelled (or the work ended, if sooner): what the protocol bounds.</summary>
    public ShardInterval ByToken() => Cancelled is { } c && (End is not { } e || c < e) ? this with { End = c } : this;
}

/// <summary>Two intervals of one shard that overlap: two replicas (or one, twice) working on the same keys at once.</summary>
internal sealed record ShardOverlap(ShardInterval First, ShardInterval Second, TimeSpan Duration);

/// <summary>
/// Records per-shard ownership intervals across the replicas of a run, on one reference clock, and finds
/// overlaps: the sharded counterpart of LeadershipRecorder. An interval starts when the replica's
/// <c>OnShardAcquired</c> callback is invoked and ends when that callback has returned (its work drained), or
/// when the replica's process is stopped (<see cref="Stopped"/>), whichever comes first. Thread-safe.
/// </summary>
internal sealed class ShardIntervalRecorder
{
    private readonly object _gate = new();
    private readonly List<Entry> _entries = [];
    private readonly TimeProvider _time;
    private readonly long _origin;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ShardIntervalRecorder(int shards, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        Shards = shards;
        _time = timeProvider ?? TimeProvider.System;
        _origin = _time.GetTimestamp();
    }

    public int Shards { get; }

    /// <summary>The time since the recorder was created: the time axis of every interval.</summary>
    public TimeSpan Now => _time.GetElapsedTime(_origin);

    /// <summary>Records that <paramref name="replica"/> starts working on <paramref name="shard"/> now.</summary>
    public object Begin(string replica, int shard, long term)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shard, Shards);
        var entry = new Entry(replica, shard, term, Now);
        lock (_gate)
        {
            _entries.Add(entry);
        }

        Signal();
        return entry;
    }

    /// <summary>Records that the work begun with <paramref name="token"/> has ended now (if it had not already).</summary>
    public void End(object token)
    {
        var entry = (Entry)token;
        lock (_gate)
        {
            entry.End ??= Now;
        }

        Signal();
    }

    /// <summary>Records that the token of the work begun with <paramref name="token"/> was cancelled now.</summary>
    public void Cancelled(object token)
    {
        var entry = (Entry)token;
        lock (_gate)
        {
            entry.Cancelled ??= Now;
        }
    }

    /// <summary>The process of <paramref name="replica"/> is gone: every interval of it still open ends now.</summary>
    public void Stopped(string replica)
    {
        lock (_gate)
        {
            var now = Now;
            foreach (var entry in _entries.Where(e => e.Replica == replica && e.End is null))
            {
                entry.End = now;
            }
        }

        Signal();
    }

    public IReadOnlyList<ShardInterval> Intervals()
    {
        lock (_gate)
        {
            return [.. _entries.Select(e => new ShardInterval(e.Replica, e.Shard, e.Term, e.Start, e.End, e.Cancelled))];
        }
    }

    /// <summary>The shards each replica works on now (replicas with none are absent).</summary>
    public IReadOnlyDictionary<string, int> OwnedNow()
    {
        lock (_gate)
        {
            return _entries.Where(e => e.End is null).GroupBy(e => e.Replica).ToDictionary(g => g.Key, g => g.Count());
        }
    }

    /// <summary>The replica working on each shard now, null for a shard nobody works on.</summary>
    public IReadOnlyList<string?> HoldersNow()
    {
        var holders = new string?[Shards];
        lock (_gate)
        {
            foreach (var entry in _entries.Where(e => e.End is null))
            {
                holders[entry.Shard] = entry.Replica;
            }
        }

        return holders;
    }

    /// <summary>
    /// Every pair of intervals of one shard that overlap in time (open intervals run to now); with
    /// <paramref name="byToken"/>, each interval ends when its token was cancelled if that came first.
    /// </summary>
    public IReadOnlyList<ShardOverlap> Overlaps(bool byToken = false)
    {
        var now = Now;
        var overlaps = new List<ShardOverlap>();
        foreach (var shard in Intervals().Select(i => byToken ? i.ByToken() : i).GroupBy(i => i.Shard))
        {
            var sorted = shard.OrderBy(i => i.Start).ToList();
            for (var i = 0; i < sorted.Count; i++)
            {
                for (var j = i + 1; j < sorted.Count && sorted[j].Start < sorted[i].EndOr(now); j++)
                {
                    var end = sorted[i].EndOr(now) < sorted[j].EndOr(now) ? sorted[i].EndOr(now) : sorted[j].EndOr(now);
                    overlaps.Add(new ShardOverlap(sorted[i], sorted[j], end - sorted[j].Start));
                }
            }
        }

        return overlaps;
    }

    /// <summary>Waits until <paramref name="condition"/> holds (checked at every recorded change and every 50 ms); false on timeout.</summary>
    public async Task<bool> WaitUntilAsync(Func<ShardIntervalRecorder, bool> condition, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = Now + timeout;
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            if (condition(this))
            {
                return true;
            }

            var left = deadline - Now;
            if (left <= TimeSpan.Zero)
            {
                return false;
            }

            // Conditions may also depend on things outside the recorder (which replicas run): poll as well.
            await Task.WhenAny(changed, Task.Delay(left < TimeSpan.FromMilliseconds(50) ? left : TimeSpan.FromMilliseconds(50), cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private void Signal()
    {
        TaskCompletionSource previous;
        lock (_gate)
        {
            previous = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
    }

    private sealed class Entry(string replica, int shard, long term, TimeSpan start)
    {
        public string Replica { get; } = replica;

        public int Shard { get; } = shard;

        public long Term { get; } = term;

        public TimeSpan Start { get; } = start;

        public TimeSpan? End { get; set; }

        public TimeSpan? Cancelled { get; set; }
    }
}
