using System.Diagnostics;

namespace RoostKeeper.Ha.Benchmarks.Failover;

/// <summary>
/// Every leadership interval of every replica of one scenario, on one <see cref="Stopwatch"/>: from the
/// elector's "started leading" to the moment the term ended (our leader token cancelled; KubernetesClient's
/// OnStoppedLeading).
/// </summary>
internal sealed class LeadershipLog
{
    private readonly object _gate = new();
    private readonly List<Interval> _intervals = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public LeadershipLog(Stopwatch clock) => Clock = clock;

    public Stopwatch Clock { get; }

    public TimeSpan Now => Clock.Elapsed;

    public Interval Start(string replica, string identity)
    {
        var interval = new Interval(replica, identity, Now);
        lock (_gate)
        {
            _intervals.Add(interval);
            Signal();
        }

        return interval;
    }

    public void End(Interval interval)
    {
        var now = Now;
        lock (_gate)
        {
            interval.End ??= now;
            Signal();
        }
    }

    public IReadOnlyList<Interval> Snapshot()
    {
        lock (_gate)
        {
            return [.. _intervals];
        }
    }

    /// <summary>The replica leading now (an open interval), if any.</summary>
    public string? CurrentLeader()
    {
        lock (_gate)
        {
            return _intervals.LastOrDefault(i => i.End is null)?.Replica;
        }
    }

    /// <summary>Waits for the first interval that starts at or after <paramref name="after"/> on a replica other than <paramref name="except"/>.</summary>
    public async Task<Interval?> WaitForStartAsync(TimeSpan after, string? except, TimeSpan timeout)
    {
        var deadline = Now + timeout;
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                var found = _intervals.FirstOrDefault(i => i.Start >= after && i.Replica != except);
                if (found is not null)
                {
                    return found;
                }

                changed = _changed.Task;
            }

            var left = deadline - Now;
            if (left <= TimeSpan.Zero)
            {
                return null;
            }

            await Task.WhenAny(changed, Task.Delay(left));
        }
    }

    /// <summary>Pairs of intervals of different identities that overlap in time (open intervals count as running until now).</summary>
    public IReadOnlyList<(Interval First, Interval Second, TimeSpan Overlap)> Overlaps()
    {
        var now = Now;
        var all = Snapshot().OrderBy(i => i.Start).ToList();
        var result = new List<(Interval, Interval, TimeSpan)>();
        for (var a = 0; a < all.Count; a++)
        {
            var endA = all[a].End ?? now;
            for (var b = a + 1; b < all.Count && all[b].Start < endA; b++)
            {
                if (all[b].Identity != all[a].Identity)
                {
                    var endB = all[b].End ?? now;
                    result.Add((all[a], all[b], (endA < endB ? endA : endB) - all[b].Start));
                }
            }
        }

        return result;
    }

    private void Signal()
    {
        var previous = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        previous.TrySetResult();
    }

    internal sealed class Interval(string replica, string identity, TimeSpan start)
    {
        public string Replica { get; } = replica;

        public string Identity { get; } = identity;

        public TimeSpan Start { get; } = start;

        public TimeSpan? End { get; set; }
    }
}
