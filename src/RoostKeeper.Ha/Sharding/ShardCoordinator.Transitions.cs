using Microsoft.Extensions.Logging;
using RoostKeeper.Ha.Election;

namespace RoostKeeper.Ha.Sharding;

/// <summary>This replica's own transitions: release (drain, then CAS holder := null), acquire (CAS, then start work), the guard.</summary>
internal sealed partial class ShardCoordinator
{
    /// <summary>When this replica's last successful liveness write (membership renewal, or election renewal while leading) was sent.</summary>
    private long LastLiveness => Math.Max(Interlocked.Read(ref _membershipSent), Interlocked.Read(ref _electionSent));

    private TimeSpan SinceLiveness => LastLiveness == long.MinValue ? TimeSpan.MaxValue : _time.GetElapsedTime(LastLiveness);

    /// <summary>Stops the work of every shard past the renew deadline (their timers normally did already).</summary>
    private void Guard()
    {
        if (SinceLiveness <= _settings.RenewDeadline)
        {
            return;
        }

        List<Holding> late;
        lock (_gate)
        {
            late = _holdings.Values.Where(h => !h.Token.IsCancellationRequested).ToList();
        }

        if (late.Count > 0)
        {
            ShardingLog.DeadlinePassed(_logger, Identity, List(late.Select(h => h.Shard.Shard)), Table, _settings.RenewDeadline);
            foreach (var holding in late)
            {
                Cancel(holding);
            }
        }
    }

    /// <summary>A liveness write succeeded: every shard's deadline moves to sent + RenewDeadline.</summary>
    private void Rearm()
    {
        var remaining = _settings.RenewDeadline - SinceLiveness;
        lock (_gate)
        {
            foreach (var holding in _holdings.Values)
            {
                if (!holding.Token.IsCancellationRequested)
                {
                    holding.Token.CancelAfter(ElectionTiming.Clamp(remaining));
                }
            }
        }
    }

    private void Cancel(Holding holding)
    {
        try
        {
            holding.Token.Cancel();
        }
        catch (AggregateException e)
        {
            ShardingLog.CallbackFailed(_logger, Identity, $"token of shard {holding.Shard.Shard}", e);
        }
        catch (ObjectDisposedException)
        {
            // Dropped meanwhile by another pass: its token was cancelled before it was disposed.
        }
    }

    private async Task ReleaseAsync(CancellationToken stop)
    {
        if (State(out var problem) is not { } state || problem is not null)
        {
            return;
        }

        var entries = state.Table.Entries;
        var draining = DrainReason;
        List<(int Shard, string Reason)> release = [];
        List<Holding> lostToOthers = [];
        lock (_gate)
        {
            for (var s = 0; s < entries.Length; s++)
            {
                var e = entries[s];
                _holdings.TryGetValue(s, out var holding);
                if (e.Holder != Identity)
                {
                    if (holding is not null && e.Term >= holding.Shard.Term)
                    {
                        lostToOthers.Add(holding); // Cleared by a leader that judged us dead: our guard stopped the work already.
                    }

                    continue;
                }

                var reason = draining is not null ? draining
                    : e.Target != Identity ? "rebalance"
                    : holding is null ? null // No local work (an acquisition whose answer was lost, a restart): handed back below.
                    : holding.Failed ? "failed"
                    : holding.Token.IsCancellationRequested ? "deadline"
                    : null;
                if (reason is not null || holding is null)
                {
                    release.Add((s, reason ?? "restart"));
                }
            }
        }

        foreach (var holding in lostToOthers)
        {
            await DropAsync([holding], "crash", wait: false).ConfigureAwait(false);
        }

        if (release.Count == 0)
        {
            return;
        }

        List<Holding> draining_;
        lock (_gate)
        {
            draining_ = release.Select(r => _holdings.GetValueOrDefault(r.Shard)).Where(h => h is not null).Select(h => h!).ToList();
        }

        await DropAsync(draining_, release[0].Reason, wait: true).ConfigureAwait(false);
        var shards = release.Select(r => r.Shard).ToHashSet();
        for (var attempt = 0; attempt < 3 && !stop.IsCancellationRequested; attempt++)
        {
            if (State(out problem) is not { } current || problem is not null)
            {
                return;
            }

            var mine = shards.Where(s => current.Table.Entries[s].Holder == Identity).ToList();
            if (mine.Count == 0)
            {
                return;
            }

            var next = current.Table with
            {
                Entries = [.. current.Table.Entries.Select((e, s) => mine.Contains(s) ? e with { Holder = null } : e)],
            };
            if (await WriteTableAsync(current.Lease, next, "release", stop).ConfigureAwait(false) is not null)
            {
                ShardingLog.Released(_logger, Identity, List(mine), Table, string.Join(",", release.Select(r => r.Reason).Distinct()));
                foreach (var group in release.Where(r => mine.Contains(r.Shard)).GroupBy(r => r.Reason))
                {
                    _metrics?.RecordMoves(_settings.TableName, MoveReason(group.Key), group.Count());
                }

                return;
            }
        }
    }

    private static string MoveReason(string reason) => reason switch
    {
        "stopping" => "leave",
        "step_down" => "step_down",
        "rebalance" => "rebalance",
        "failed" => "failed",
        _ => "deadline",
    };

    /// <summary>
    /// Stops the work of <paramref name="holdings"/> (cancel, then wait up to DrainTimeout) and forgets them, once per
    /// holding: a holding already being dropped (by an earlier pass) is not dropped again, and, with
    /// <paramref name="wait"/>, is awaited, so a release is never written while a shard's work still drains.
    /// </summary>
    private async Task DropAsync(IReadOnlyList<Holding> holdings, string reason, bool wait)
    {
        if (holdings.Count == 0)
        {
            return;
        }

        var mine = new List<(Holding Holding, TaskCompletionSource Done)>();
        var all = new List<Task>();
        lock (_gate)
        {
            foreach (var holding in holdings)
            {
                if (holding.Dropped is null)
                {
                    var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    holding.Dropped = done.Task;
                    mine.Add((holding, done));
                }

                all.Add(holding.Dropped);
            }
        }

        var dropping = DropOwnAsync(mine);
        if (wait)
        {
            await dropping.ConfigureAwait(false);
            await Task.WhenAll(all).ConfigureAwait(false);
        }

        _ = reason;
    }

    private async Task DropOwnAsync(List<(Holding Holding, TaskCompletionSource Done)> mine)
    {
        if (mine.Count == 0)
        {
            return;
        }

        foreach (var (holding, _) in mine)
        {
            Cancel(holding);
        }

        Publish();
        using (var timeout = new CancellationTokenSource(ElectionTiming.Clamp(_settings.DrainTimeout), _time))
        {
            foreach (var (holding, _) in mine)
            {
                try
                {
                    await holding.Work.WaitAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested)
                {
                    ShardingLog.DrainTimedOut(_logger, holding.Shard.Shard, Identity, _settings.DrainTimeout);
                }
                catch (Exception)
                {
                    // The work's failure was logged when it happened (or it ended on its token): drained either way.
                }
            }
        }

        lock (_gate)
        {
            foreach (var (holding, _) in mine)
            {
                if (_holdings.TryGetValue(holding.Shard.Shard, out var current) && current == holding)
                {
                    _holdings.Remove(holding.Shard.Shard);
                }
            }
        }

        Publish();
        foreach (var (holding, done) in mine)
        {
            _work.Released(holding.Shard, _logger);
            holding.Token.Dispose();
            done.TrySetResult();
        }
    }

    /// <summary>The table cannot be trusted (missing, hostile, another shard count): no work runs on it, and nothing is written.</summary>
    private void StopWorkWithoutRelease()
    {
        List<Holding> all;
        lock (_gate)
        {
            all = [.. _holdings.Values];
        }

        if (all.Count > 0)
        {
            _ = DropAsync(all, "table", wait: true);
        }
    }

    /// <summary>On the way out: every shard's work is cancelled and awaited (bounded); releases were written by the drain before.</summary>
    private async Task StopAllWorkAsync(string reason)
    {
        List<Holding> all;
        lock (_gate)
        {
            all = [.. _holdings.Values];
        }

        await DropAsync(all, reason, wait: true).ConfigureAwait(false);
    }

    private async Task AcquireAsync(CancellationToken stop)
    {
        // Only with a fresh liveness write, leaving a RetryPeriod for the write itself: a shard taken by a replica
        // about to pass its deadline would only be cancelled again at once.
        if (DrainReason is not null || SinceLiveness > _settings.RenewDeadline - _settings.RetryPeriod)
        {
            return;
        }

        if (State(out var problem) is not { } state || problem is not null)
        {
            return;
        }

        var now = _time.GetTimestamp();
        List<int> take;
        lock (_gate)
        {
            take = Enumerable.Range(0, state.Table.Shards)
                .Where(s => state.Table.Entries[s] is { Holder: null } e && e.Target == Identity && !_holdings.ContainsKey(s)
                    && !(_holdOff.TryGetValue(s, out var until) && now < until))
                .ToList();
        }

        if (take.Count == 0)
        {
            return;
        }

        var term = state.Table.Term;
        var entries = state.Table.Entries.ToBuilder();
        foreach (var s in take)
        {
            entries[s] = entries[s] with { Holder = Identity, Term = ++term };
        }

        var next = state.Table with { Term = term, Entries = entries.ToImmutable() };
        if (await WriteTableAsync(state.Lease, next, "acquire", stop).ConfigureAwait(false) is null)
        {
            return;
        }

        // The CAS made us holder: only now does the work start, each shard with a new token whose deadline is the
        // liveness guard's. Past the deadline already, the shards are handed back on the next pass instead.
        if (SinceLiveness >= _settings.RenewDeadline)
        {
            return;
        }

        var started = new List<Holding>();
        foreach (var s in take)
        {
            var token = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
            token.CancelAfter(ElectionTiming.Clamp(_settings.RenewDeadline - SinceLiveness));
            var shard = new OwnedShard(s, next.Entries[s].Term, Identity, _time.GetUtcNow(), _leases.Namespace, _settings.TableName, token.Token);
            var holding = new Holding(shard, token);
            lock (_gate)
            {
                _holdings[s] = holding;
            }

            started.Add(holding);
        }

        Publish();
        ShardingLog.Acquired(_logger, Identity, List(take), Table, string.Join(",", take.Select(s => next.Entries[s].Term)));
        foreach (var holding in started)
        {
            holding.Work = _work.Start(holding.Shard);
            _ = holding.Work.ContinueWith(
                t =>
                {
                    if (t.IsFaulted && !holding.Token.IsCancellationRequested)
                    {
                        ShardingLog.WorkFailed(_logger, holding.Shard.Shard, Identity, t.Exception!.GetBaseException());
                        lock (_gate)
                        {
                            holding.Failed = true;
                            _holdOff[holding.Shard.Shard] = _time.GetTimestamp() + Ticks(_settings.LeaseDuration);
                        }

                        Wake();
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private void Publish()
    {
        List<OwnedShard> owned;
        lock (_gate)
        {
            owned = _holdings.Values.Where(h => h.Dropped is null).Select(h => h.Shard).ToList();
        }

        Ownership.Publish(owned);
    }

    // ---- Draining -------------------------------------------------------------------------------

    /// <summary>Starts or ends a drain (<c>stopping</c> wins over <c>step_down</c> and is never ended).</summary>
    internal void SetDraining(string? reason)
    {
        bool changed;
        lock (_gate)
        {
            if (_drainReason == "stopping" || _drainReason == reason)
            {
                return;
            }

            _drainReason = reason;
            changed = true;
        }

        if (changed && reason is not null)
        {
            ShardingLog.Draining(_logger, Identity, reason);
        }

        _renewNow.TrySetResult();
        Wake();
    }

    /// <summary>
    /// A graceful leave: publishes draining, gives up every shard (drain, CAS), and returns when the table no longer
    /// names this replica as holder, or when <paramref name="cancellationToken"/> ends the wait.
    /// </summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        SetDraining("stopping");
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                Task changed;
                lock (_gate)
                {
                    changed = _changed.Task;
                }

                bool holdsNone;
                lock (_gate)
                {
                    holdsNone = _holdings.Count == 0;
                }

                var state = State(out var problem);
                if (holdsNone && (problem is not null || state is null || state.Value.Table.Entries.All(e => e.Holder != Identity)))
                {
                    return;
                }

                await ElectionTiming.WaitAsync(changed, _settings.RetryPeriod / 2, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
