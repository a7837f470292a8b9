namespace RoostKeeper.Ha.Testing;

/// <summary>
/// Records when each replica starts and stops acting as leader, on one clock shared by all replicas, so a
/// test can check that no two replicas ever led at once (<see cref="LeadershipTimeline.Overlaps"/>) and
/// measure how available the leadership was. Thread-safe.
/// </summary>
/// <remarks>
/// Record from the leader token, not from the Lease: what matters is when the replica's work may act, and
/// that ends when the token is cancelled, whatever the Lease says. With RoostKeeper.Ha:
/// <code>
/// manager.OnStartedLeading((leadership, token) =>
/// {
///     recorder.Track("replica-a", leadership.Term, token);
///     return RunControllerAsync(token);
/// });
/// </code>
/// With an elector that raises events instead (KubernetesClient's <c>LeaderElector</c>), call
/// <see cref="Started"/> and <see cref="Stopped"/> from its events. All replicas of a test share one
/// recorder, whose clock is the reference: give each replica its own (skewed) clock if you like, but keep
/// the recorder on the true one.
/// </remarks>
public sealed class LeadershipRecorder
{
    private readonly object _gate = new();
    private readonly List<Entry> _intervals = [];
    private readonly List<LeadershipFault> _faults = [];
    private readonly TimeProvider _time;
    private readonly long _origin;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Starts a recorder whose clock reads zero now.</summary>
    /// <param name="timeProvider">The reference clock; <see cref="TimeProvider.System"/> by default.</param>
    public LeadershipRecorder(TimeProvider? timeProvider = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        _origin = _time.GetTimestamp();
    }

    /// <summary>The time since the recorder was created, on its clock: the time axis of every interval.</summary>
    public TimeSpan Now => _time.GetElapsedTime(_origin);

    /// <summary>The replica acting as leader now (the most recent open interval), or null.</summary>
    public string? CurrentLeader
    {
        get
        {
            lock (_gate)
            {
                return _intervals.LastOrDefault(e => e.End is null)?.Replica;
            }
        }
    }

    /// <summary>
    /// Records that <paramref name="replica"/> starts acting as leader now, and that it stops the instant
    /// <paramref name="leaderToken"/> is cancelled (at once, if it already is).
    /// </summary>
    /// <param name="replica">The replica's name.</param>
    /// <param name="term">The term (<c>Leadership.Term</c>).</param>
    /// <param name="leaderToken">The token the elector gave the leader work.</param>
    public void Track(string replica, long term, CancellationToken leaderToken)
    {
        var entry = Begin(replica, term);

        // The registration lives as long as the token: the elector disposes its source after the term.
        leaderToken.Register(static state =>
        {
            var (recorder, entry) = ((LeadershipRecorder, Entry))state!;
            recorder.Finish(entry);
        }, (this, entry));
    }

    /// <summary>Records that <paramref name="replica"/> starts acting as leader now.</summary>
    /// <param name="replica">The replica's name.</param>
    /// <param name="term">The term, or 0 when the elector does not number its terms.</param>
    public void Started(string replica, long term = 0) => Begin(replica, term);

    /// <summary>Records that <paramref name="replica"/> stops acting as leader now; does nothing if it was not leading.</summary>
    /// <param name="replica">The replica's name.</param>
    public void Stopped(string replica)
    {
        List<Entry> open;
        lock (_gate)
        {
            open = [.. _intervals.Where(e => e.Replica == replica && e.End is null)];
        }

        foreach (var entry in open)
        {
            Finish(entry);
        }
    }

    /// <summary>Records a fault that healed now, to measure the time to a leader after it.</summary>
    /// <param name="description">What the fault was.</param>
    /// <param name="injectedAt">When it was injected, on this recorder's clock (<see cref="Now"/> then).</param>
    public void FaultHealed(string description, TimeSpan injectedAt)
    {
        ArgumentNullException.ThrowIfNull(description);
        var fault = new LeadershipFault(description, injectedAt, Now);
        lock (_gate)
        {
            _faults.Add(fault);
        }
    }

    /// <summary>The intervals and faults recorded so far, as a timeline from <paramref name="from"/> (zero by default) to now.</summary>
    /// <param name="from">Where the window begins, e.g. when the first leader was elected.</param>
    /// <returns>The timeline; intervals still open run until now.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="from"/> is negative.</exception>
    public LeadershipTimeline Timeline(TimeSpan? from = null)
    {
        if (from is { } requested)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(requested, TimeSpan.Zero, nameof(from));
        }

        lock (_gate)
        {
            var now = Now;

            // A window that would begin after now is empty rather than backwards.
            var start = from ?? TimeSpan.Zero;
            start = start < now ? start : now;
            return new LeadershipTimeline(_intervals.Select(e => e.ToInterval()), _faults, start, now);
        }
    }

    /// <summary>Waits until some replica (other than <paramref name="except"/>, if given) acts as leader, and returns its name.</summary>
    /// <param name="timeout">How long to wait, on the recorder's clock.</param>
    /// <param name="except">A replica that does not count (e.g. the one just partitioned); null for any.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The name of the replica leading at the moment the wait ended.</returns>
    /// <exception cref="TimeoutException">No such replica led within <paramref name="timeout"/>.</exception>
    public async Task<string> WaitForLeaderAsync(TimeSpan timeout, string? except = null, CancellationToken cancellationToken = default)
    {
        var deadline = Now + timeout;
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_intervals.LastOrDefault(e => e.End is null && e.Replica != except) is { } leading)
                {
                    return leading.Replica;
                }

                changed = _changed.Task;
            }

            var left = deadline - Now;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"No replica{(except is null ? "" : " other than " + except)} acted as leader within {timeout.TotalSeconds:0.###} s.");
            }

            await Task.WhenAny(changed, Task.Delay(left, _time, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private Entry Begin(string replica, long term)
    {
        ArgumentNullException.ThrowIfNull(replica);
        var entry = new Entry(replica, term, Now);
        lock (_gate)
        {
            _intervals.Add(entry);
            Signal();
        }

        return entry;
    }

    private void Finish(Entry entry)
    {
        var now = Now;
        lock (_gate)
        {
            entry.End ??= now;
            Signal();
        }
    }

    private void Signal()
    {
        var previous = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        previous.TrySetResult();
    }

    private sealed class Entry(string replica, long term, TimeSpan start)
    {
        public string Replica { get; } = replica;

        public long Term { get; } = term;

        public TimeSpan Start { get; } = start;

        public TimeSpan? End { get; set; }

        public LeadershipInterval ToInterval() => new(Replica, Term, Start, End);
    }
}
