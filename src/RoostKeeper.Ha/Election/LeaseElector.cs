// Leader election on a coordination.k8s.io/v1 Lease, wire-compatible with client-go and
// KubernetesClient (holderIdentity, leaseDurationSeconds, acquireTime, renewTime, leaseTransitions).
//
// Assumed: every replica's monotonic clock runs at (nearly) the same rate. Wall clocks may be skewed
// arbitrarily: no decision reads a remote timestamp (except the opt-in cold-start path, MaxClockSkew).
//
// Guaranteed while that holds: no two replicas act as leader at once.
//  - A follower counts LeaseDuration on its own monotonic clock from the moment it *observed* a change
//    of the Lease (a new resourceVersion), never from renewTime, and takes the Lease only with a
//    conditional write (resourceVersion), so of several racing followers exactly one wins.
//  - The leader counts RenewDeadline from the moment it *sent* its last successful renewal. The server
//    wrote that renewal after it was sent, and a follower observed the write after it was made, so the
//    follower's expiry instant is at least sent + LeaseDuration, while the leader's token is cancelled
//    at sent + RenewDeadline. The leader therefore stops first, with LeaseDuration − RenewDeadline
//    (5 s by default) as the margin for clock-rate differences and for pauses between the deadline
//    check and the leader's last action.
//  - A leader that is stopped gracefully cancels its work, waits for it (bounded), and only then
//    writes an empty holder; work that will not stop keeps the Lease unreleased (KEP-5366: releasing
//    while work runs is what lets client-go and controller-runtime run two leaders).
//  - A replica never continues a term it lost: after stepping down it must win a new conditional write,
//    which starts a new term (leaseTransitions + 1).
// Not guaranteed: fencing. A leader paused longer than the margin (a stop-the-world pause, a frozen VM)
// can act after its term ended. Writers that need fencing store Leadership.Term with their writes.
using System.Diagnostics;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using RoostKeeper.Ha.Diagnostics;

namespace RoostKeeper.Ha.Election;

/// <summary>The Lease elector: acquires, renews, steps down, releases and hands over one Lease.</summary>
internal sealed class LeaseElector
{
    /// <summary>
    /// Set by a leader that hands the Lease to a chosen successor: the record names the successor as
    /// holder with a fresh renewTime, so every other elector (ours or client-go's) waits as for any live
    /// leader, while the successor, seeing this mark, takes its term at once.
    /// </summary>
    internal const string HandoffAnnotation = "roostkeeper.ha/handoff-to";

    private readonly ILeaseClient _client;
    private readonly ElectionSettings _settings;
    private readonly LeadershipCallbacks _callbacks;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly HaMetrics _metrics;
    private readonly string _lease;
    private readonly object _gate = new();

    private Observation? _observation;
    private TaskCompletionSource _changed = NewSignal();
    private TaskCompletionSource _leaderWake = NewSignal();
    private volatile bool _watching;
    private volatile bool _apiReachable = true;
    private string? _announcedLeader;
    private long? _lastTerm;
    private long _holdOffUntil;
    private Leadership? _leadership;
    private bool _stolen;
    private FailoverRequest? _failover;
    private int _running;

    public LeaseElector(ILeaseClient client, ElectionSettings settings, LeadershipCallbacks callbacks, ILogger logger, TimeProvider time, HaMetrics metrics)
    {
        _client = client;
        _settings = settings;
        _callbacks = callbacks;
        _logger = logger;
        _time = time;
        _metrics = metrics;
        _lease = $"{client.Namespace}/{client.Name}";
    }

    public string Identity => _settings.Identity;

    public Leadership? Leadership => Volatile.Read(ref _leadership);

    public bool IsLeader => Leadership is not null;

    public bool IsWatching => _watching;

    public bool ApiReachable => _apiReachable;

    /// <summary>The Lease as last observed (null when it does not exist or was not read yet).</summary>
    public V1Lease? ObservedLease
    {
        get
        {
            lock (_gate)
            {
                return _observation?.Lease;
            }
        }
    }

    /// <summary>The holder of the Lease when it is held and, by this replica's clock, not expired.</summary>
    public string? CurrentLeader
    {
        get
        {
            lock (_gate)
            {
                if (_observation?.Lease?.Spec?.HolderIdentity is not { Length: > 0 } holder)
                {
                    return null;
                }

                return holder == Identity && !IsLeader ? null : Remaining(_observation, _time.GetTimestamp()) > TimeSpan.Zero ? holder : null;
            }
        }
    }

    /// <summary>Competes for the Lease until <paramref name="stop"/>, leading whenever it wins; releases on the way out.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            throw new InvalidOperationException($"Leader election for {Identity} on Lease {_lease} is already running.");
        }

        using var tracking = _metrics.Track(() => (IsLeader, Identity, _lease));
        using var watchStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var watch = Task.Run(() => WatchLoopAsync(watchStop.Token), CancellationToken.None);
        try
        {
            while (await AcquireAsync(stop).ConfigureAwait(false) is { } won)
            {
                await LeadAsync(won.Lease, won.SentAt, stop).ConfigureAwait(false);
            }
        }
        finally
        {
            await watchStop.CancelAsync().ConfigureAwait(false);
            await watch.ConfigureAwait(false);
            Volatile.Write(ref _running, 0);
        }
    }

    /// <summary>Asks the leader to hand over; completes when the hand-over was written (false: not leading).</summary>
    public Task<bool> RequestFailoverAsync(string? successor, CancellationToken cancellationToken)
    {
        if (successor == Identity)
        {
            throw new ArgumentException($"A replica cannot hand leadership over to itself ({successor}).", nameof(successor));
        }

        FailoverRequest request;
        lock (_gate)
        {
            if (_leadership is null)
            {
                return Task.FromResult(false);
            }

            request = _failover ??= new FailoverRequest(successor);
            _leaderWake.TrySetResult();
        }

        return request.Done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Reads the Lease now (for status); updates the observation. Throws on API errors.</summary>
    public async Task<V1Lease?> ReadAsync(CancellationToken cancellationToken)
    {
        var lease = await _client.GetAsync(cancellationToken).ConfigureAwait(false);
        Observe(lease);
        return lease;
    }

    // ---- Following -------------------------------------------------------------------------------

    private async Task<(V1Lease Lease, long SentAt)?> AcquireAsync(CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                Task changed;
                Observation? observation;
                lock (_gate)
                {
                    changed = _changed.Task;
                    observation = _observation;
                }

                if (observation is null)
                {
                    // The watch loop reads the Lease first; wait for it (it retries every RetryPeriod).
                    await WaitAsync(changed, _settings.RetryPeriod, stop).ConfigureAwait(false);
                    continue;
                }

                var wait = TimeUntilTakeable(observation);
                if (wait > TimeSpan.Zero)
                {
                    await WaitAsync(changed, wait, stop).ConfigureAwait(false);
                    continue;
                }

                if (await TryTakeAsync(observation, stop).ConfigureAwait(false) is { } won)
                {
                    return won;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }

        return null;
    }

    /// <summary>How long until this replica may try to take the Lease; zero or less: now.</summary>
    private TimeSpan TimeUntilTakeable(Observation observation)
    {
        var now = _time.GetTimestamp();
        var holdOff = _time.GetElapsedTime(now, Interlocked.Read(ref _holdOffUntil));
        var spec = observation.Lease?.Spec;
        var holder = spec?.HolderIdentity;
        if (observation.Lease is null || string.IsNullOrEmpty(holder))
        {
            return holdOff;
        }

        if (holder == Identity)
        {
            // Our own record: a term this process held (and lost, e.g. to a partition), or a hand-over to us.
            // Taking it is a conditional write on the observed resourceVersion, so it is safe at once.
            var handedToUs = observation.Lease.Metadata?.Annotations?.TryGetValue(HandoffAnnotation, out var to) == true && to == Identity;
            if (handedToUs || spec!.LeaseTransitions == _lastTerm)
            {
                return TimeSpan.Zero;
            }
        }

        var remaining = Remaining(observation, now);
        return remaining > holdOff ? remaining : holdOff;
    }

    /// <summary>Time left on the holder's Lease, counted on the local monotonic clock from our observation.</summary>
    private TimeSpan Remaining(Observation observation, long now)
    {
        var spec = observation.Lease?.Spec;
        var duration = spec?.LeaseDurationSeconds is > 0 and var seconds ? TimeSpan.FromSeconds(seconds) : _settings.LeaseDuration;
        if (observation.First && _settings.MaxClockSkew is { } skew && spec?.RenewTime is { } renewTime)
        {
            // Opt-in cold start: trust the holder's wall clock within MaxClockSkew, only for a Lease we have
            // never seen change (after that, our own observations are strictly better evidence).
            var age = _time.GetUtcNow() - new DateTimeOffset(DateTime.SpecifyKind(renewTime, DateTimeKind.Utc));
            if (age > duration + skew)
            {
                return TimeSpan.Zero;
            }
        }

        return duration - _time.GetElapsedTime(observation.ObservedAt, now);
    }

    private async Task<(V1Lease Lease, long SentAt)?> TryTakeAsync(Observation observation, CancellationToken stop)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        V1Lease desired;
        if (observation.Lease is null)
        {
            desired = new V1Lease
            {
                Metadata = new V1ObjectMeta { Name = _client.Name, NamespaceProperty = _client.Namespace },
                Spec = new V1LeaseSpec { LeaseTransitions = 0 },
            };
        }
        else
        {
            desired = Copy(observation.Lease);
            desired.Spec.LeaseTransitions = (observation.Lease.Spec?.LeaseTransitions ?? 0) + 1;
            desired.Metadata.Annotations?.Remove(HandoffAnnotation);
        }

        desired.Spec.HolderIdentity = Identity;
        desired.Spec.LeaseDurationSeconds = _settings.LeaseDurationSeconds;
        desired.Spec.AcquireTime = now;
        desired.Spec.RenewTime = now;

        // Remember the term we are trying for: if the write lands but its response is lost, the next read
        // shows our identity with this term and we may take it again at once.
        _lastTerm = desired.Spec.LeaseTransitions;
        using var activity = HaTelemetry.ActivitySource.StartActivity("roost_keeper.lease.acquire");
        activity?.SetTag("lease", _lease).SetTag("identity", Identity);
        using var attempt = Deadline(stop, _settings.RenewDeadline);
        var sentAt = _time.GetTimestamp();
        try
        {
            var written = observation.Lease is null
                ? await _client.CreateAsync(desired, attempt.Token).ConfigureAwait(false)
                : await _client.ReplaceAsync(desired, attempt.Token).ConfigureAwait(false);
            _apiReachable = true;
            Observe(written);
            return (written, sentAt);
        }
        catch (LeaseConflictException)
        {
            _apiReachable = true;
            activity?.SetStatus(ActivityStatusCode.Error, "conflict");
            ElectionLog.Conflict(_logger, "Acquire", _lease, Identity);
            await RefreshAsync(stop).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (!stop.IsCancellationRequested)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            Failed("acquire", e);
            await Task.Delay(_settings.RetryPeriod, _time, stop).ConfigureAwait(false);
            return null;
        }
    }

    // ---- Leading ---------------------------------------------------------------------------------

    private async Task LeadAsync(V1Lease lease, long sentAt, CancellationToken stop)
    {
        var leadership = new Leadership(Identity, lease.Spec.LeaseTransitions ?? 0, _time.GetUtcNow(), _client.Namespace, _client.Name);
        _lastTerm = leadership.Term;

        // The leader token is cancelled at the renew deadline by the clock itself, so leader work stops
        // on time even if this loop is slow to notice (a hung request, a busy thread pool).
        using var leaderToken = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        leaderToken.CancelAfter(Clamp(_settings.RenewDeadline - _time.GetElapsedTime(sentAt)));
        var current = lease;
        var lastSent = sentAt;
        lock (_gate)
        {
            _stolen = false;
            _failover = null;
            _leadership = leadership;
        }

        _metrics.LeaderChanges.Add(1, new KeyValuePair<string, object?>("lease", _lease), new KeyValuePair<string, object?>("identity", Identity));
        ElectionLog.StartedLeading(_logger, Identity, _lease, leadership.Term);
        var workFailed = NewSignal();
        var work = RunLeaderWorkAsync(leadership, workFailed, leaderToken.Token);

        StepDown why;
        var renewNow = false;
        while (true)
        {
            Task wake;
            lock (_gate)
            {
                if (_leaderWake.Task.IsCompleted)
                {
                    _leaderWake = NewSignal();
                }

                wake = _leaderWake.Task;
            }

            if (!renewNow)
            {
                var untilDeadline = _settings.RenewDeadline - _time.GetElapsedTime(lastSent);
                using var sleep = CancellationTokenSource.CreateLinkedTokenSource(stop, leaderToken.Token);
                var delay = Task.Delay(Clamp(untilDeadline < _settings.RetryPeriod ? untilDeadline : _settings.RetryPeriod), _time, sleep.Token);
                await Task.WhenAny(delay, wake, workFailed.Task).ConfigureAwait(false);
            }

            renewNow = false;
            if (NextStepDown(stop, leaderToken, workFailed) is { } reason)
            {
                why = reason;
                break;
            }

            var remaining = _settings.RenewDeadline - _time.GetElapsedTime(lastSent);
            using var attempt = new Attempt(stop, leaderToken.Token, Clamp(remaining), _time);
            using var activity = HaTelemetry.ActivitySource.StartActivity("roost_keeper.lease.renew");
            activity?.SetTag("lease", _lease).SetTag("identity", Identity).SetTag("term", leadership.Term);
            var desired = Copy(current);
            desired.Spec.HolderIdentity = Identity;
            desired.Spec.LeaseDurationSeconds = _settings.LeaseDurationSeconds;
            desired.Spec.RenewTime = _time.GetUtcNow().UtcDateTime;
            var sent = _time.GetTimestamp();
            try
            {
                current = await _client.ReplaceAsync(desired, attempt.Token).ConfigureAwait(false);
                lastSent = sent;
                _apiReachable = true;
                leaderToken.CancelAfter(Clamp(_settings.RenewDeadline - _time.GetElapsedTime(sent)));
                _metrics.RenewDuration.Record(_time.GetElapsedTime(sent).TotalSeconds, new KeyValuePair<string, object?>("lease", _lease));
                ElectionLog.Renewed(_logger, Identity, _lease);
                Observe(current);
            }
            catch (LeaseConflictException)
            {
                // Someone else wrote the Lease. Still ours (same holder and term, e.g. a label was edited)?
                // Then renew again on the fresh resourceVersion; otherwise the term is over.
                ElectionLog.Conflict(_logger, "Renew", _lease, Identity);
                var fresh = await RefreshAsync(attempt.Token).ConfigureAwait(false);
                if (fresh is { Spec: { } spec } && spec.HolderIdentity == Identity && spec.LeaseTransitions == leadership.Term)
                {
                    current = fresh;
                    renewNow = true;
                }
            }
            catch (Exception e) when (!stop.IsCancellationRequested && !leaderToken.IsCancellationRequested)
            {
                activity?.SetStatus(ActivityStatusCode.Error, e.Message);
                Failed("renew", e);
            }
            catch (OperationCanceledException)
            {
                // Stopping or past the deadline: the next turn of the loop says which.
            }
        }

        await StepDownAsync(leadership, why, current, work, leaderToken).ConfigureAwait(false);
    }

    private StepDown? NextStepDown(CancellationToken stop, CancellationTokenSource leaderToken, TaskCompletionSource workFailed)
    {
        lock (_gate)
        {
            if (stop.IsCancellationRequested)
            {
                return StepDown.Stopping;
            }

            if (_failover is not null)
            {
                return StepDown.Failover;
            }

            if (_stolen)
            {
                return StepDown.Lost;
            }
        }

        if (workFailed.Task.IsCompleted)
        {
            return StepDown.WorkFailed;
        }

        return leaderToken.IsCancellationRequested ? StepDown.DeadlineExceeded : null;
    }

    private async Task StepDownAsync(Leadership leadership, StepDown why, V1Lease current, Task work, CancellationTokenSource leaderToken)
    {
        // Order matters: the leader token first, so leader work stops before anyone is told.
        await leaderToken.CancelAsync().ConfigureAwait(false);
        FailoverRequest? failover;
        lock (_gate)
        {
            _leadership = null;
            failover = _failover;
            _failover = null;
        }

        if (why is StepDown.Stopping or StepDown.Failover)
        {
            ElectionLog.StoppedLeading(_logger, Identity, _lease, Describe(why));
        }
        else
        {
            ElectionLog.SteppedDown(_logger, Identity, _lease, Describe(why));
        }

        bool stopped;
        if (why is StepDown.Stopping or StepDown.Failover)
        {
            // Bounded: a stopping process must not hang. Unstopped work keeps the Lease unreleased.
            stopped = await WaitForWorkAsync(work, _settings.StopLeadingTimeout).ConfigureAwait(false);
            InvokeStopped();
            if (!stopped)
            {
                ElectionLog.LeaderWorkNotStopping(_logger, Identity, _lease, _settings.StopLeadingTimeout);
            }
        }
        else
        {
            // The term is already over (or may be): tell the application now, then wait for its work.
            InvokeStopped();
            stopped = await WaitUntilStoppedAsync(work).ConfigureAwait(false);
        }

        if (why is StepDown.Failover or StepDown.WorkFailed)
        {
            // Let another replica win the next term before this one competes again.
            Interlocked.Exchange(ref _holdOffUntil, _time.GetTimestamp() + (long)(_settings.LeaseDuration.TotalSeconds * _time.TimestampFrequency));
        }

        var release = stopped && why switch
        {
            StepDown.Stopping => _settings.ReleaseOnCancel,
            StepDown.Failover or StepDown.WorkFailed => true,
            _ => false,
        };
        var released = release && await ReleaseAsync(leadership, current, why == StepDown.Failover ? failover?.Successor : null).ConfigureAwait(false);
        failover?.Done.TrySetResult(released);
        if (why == StepDown.Failover && !stopped)
        {
            // Never compete while the previous term's work may still run in this process.
            await WaitUntilStoppedAsync(work).ConfigureAwait(false);
        }
    }

    private async Task<bool> WaitUntilStoppedAsync(Task work)
    {
        while (!await WaitForWorkAsync(work, _settings.StopLeadingTimeout).ConfigureAwait(false))
        {
            ElectionLog.LeaderWorkNotStopping(_logger, Identity, _lease, _settings.StopLeadingTimeout);
        }

        return true;
    }

    private async Task<bool> ReleaseAsync(Leadership leadership, V1Lease current, string? successor)
    {
        using var activity = HaTelemetry.ActivitySource.StartActivity("roost_keeper.lease.release");
        activity?.SetTag("lease", _lease).SetTag("identity", Identity).SetTag("successor", successor);
        using var timeout = new CancellationTokenSource(_settings.StopLeadingTimeout, _time);
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var desired = Copy(current);
            var now = _time.GetUtcNow().UtcDateTime;
            desired.Spec.AcquireTime = now;
            desired.Spec.RenewTime = now;
            if (successor is null)
            {
                // client-go's release record: no holder, a 1 s duration, transitions kept.
                desired.Spec.HolderIdentity = "";
                desired.Spec.LeaseDurationSeconds = 1;
            }
            else
            {
                desired.Spec.HolderIdentity = successor;
                desired.Spec.LeaseDurationSeconds = _settings.LeaseDurationSeconds;
                desired.Metadata.Annotations ??= new Dictionary<string, string>();
                desired.Metadata.Annotations[HandoffAnnotation] = successor;
            }

            try
            {
                Observe(await _client.ReplaceAsync(desired, timeout.Token).ConfigureAwait(false));
                if (successor is null)
                {
                    ElectionLog.Released(_logger, Identity, _lease);
                }
                else
                {
                    ElectionLog.HandedOver(_logger, Identity, _lease, successor);
                }

                return true;
            }
            catch (LeaseConflictException)
            {
                var fresh = await RefreshAsync(timeout.Token).ConfigureAwait(false);
                if (fresh?.Spec is not { } spec || spec.HolderIdentity != Identity || spec.LeaseTransitions != leadership.Term)
                {
                    return false; // No longer ours: nothing to release.
                }

                current = fresh;
            }
            catch (Exception e)
            {
                activity?.SetStatus(ActivityStatusCode.Error, e.Message);
                Failed("release", e);
                return false;
            }
        }

        return false;
    }

    private Task RunLeaderWorkAsync(Leadership leadership, TaskCompletionSource failed, CancellationToken token)
    {
        var callbacks = _callbacks.Started();
        return Task.WhenAll(callbacks.Select(callback => Task.Run(
            async () =>
            {
                try
                {
                    await callback(leadership, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    // The normal way for leader work to end.
                }
                catch (Exception e)
                {
                    if (!token.IsCancellationRequested)
                    {
                        ElectionLog.LeaderWorkFailed(_logger, Identity, _lease, e);
                        failed.TrySetResult();
                    }
                    else
                    {
                        ElectionLog.CallbackFailed(_logger, "OnStartedLeading", Identity, _lease, e);
                    }
                }
            },
            CancellationToken.None)));
    }

    private async Task<bool> WaitForWorkAsync(Task work, TimeSpan timeout)
    {
        await Task.WhenAny(work, Task.Delay(timeout, _time)).ConfigureAwait(false);
        return work.IsCompleted;
    }

    private void InvokeStopped()
    {
        foreach (var callback in _callbacks.Stopped())
        {
            try
            {
                callback();
            }
            catch (Exception e)
            {
                ElectionLog.CallbackFailed(_logger, "OnStoppedLeading", Identity, _lease, e);
            }
        }
    }

    // ---- Observing -------------------------------------------------------------------------------

    /// <summary>Follows the Lease by watch; on failure polls every RetryPeriod; on 410 Gone re-reads.</summary>
    private async Task WatchLoopAsync(CancellationToken stop)
    {
        string? resourceVersion = null;
        var needRead = true;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (needRead)
                {
                    using var read = Deadline(stop, _settings.RenewDeadline);
                    var lease = await _client.GetAsync(read.Token).ConfigureAwait(false);
                    _apiReachable = true;
                    Observe(lease);
                    resourceVersion = lease?.Metadata?.ResourceVersion;
                    needRead = false;
                }

                _watching = true;
                await foreach (var (type, lease) in _client.WatchAsync(resourceVersion, stop).ConfigureAwait(false))
                {
                    resourceVersion = lease.Metadata?.ResourceVersion ?? resourceVersion;
                    if (type == WatchEventType.Bookmark)
                    {
                        continue;
                    }

                    Observe(type == WatchEventType.Deleted ? null : lease);
                }
            }
            catch (LeaseWatchExpiredException)
            {
                ElectionLog.WatchExpired(_logger, _lease, Identity);
                needRead = true;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                if (needRead)
                {
                    _apiReachable = false;
                }

                _watching = false;
                needRead = true;
                _metrics.Failures.Add(1, new KeyValuePair<string, object?>("operation", "watch"), new KeyValuePair<string, object?>("lease", _lease));
                ElectionLog.WatchFailed(_logger, _lease, Identity, _settings.RetryPeriod, Problem(e), Unexpected(e));
                Signal();
                try
                {
                    await Task.Delay(_settings.RetryPeriod, _time, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<V1Lease?> RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var read = Deadline(cancellationToken, _settings.RenewDeadline);
            var lease = await _client.GetAsync(read.Token).ConfigureAwait(false);
            _apiReachable = true;
            Observe(lease);
            return lease;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            Failed("read", e);
            return null;
        }
    }

    /// <summary>
    /// Records what the Lease looks like now. Only a new resourceVersion counts as a change: re-reading
    /// an unchanged Lease must not restart a follower's expiry count.
    /// </summary>
    private void Observe(V1Lease? lease)
    {
        string? announce = null;
        lock (_gate)
        {
            var previous = _observation;
            var version = lease?.Metadata?.ResourceVersion;
            if (previous is not null && (previous.Lease is null) == (lease is null) && previous.Lease?.Metadata?.ResourceVersion == version)
            {
                return;
            }

            if (IsOlder(version, previous?.Lease?.Metadata?.ResourceVersion))
            {
                // A watch event can arrive after the response to our own, later write: keep the newer state.
                return;
            }

            _observation = new Observation(lease, _time.GetTimestamp(), First: previous is null);
            var holder = lease?.Spec?.HolderIdentity;
            if (string.IsNullOrEmpty(holder))
            {
                _announcedLeader = null;
            }
            else if (holder != _announcedLeader)
            {
                _announcedLeader = holder;
                announce = holder;
            }

            if (_leadership is { } leadership && (holder != Identity || lease!.Spec!.LeaseTransitions != leadership.Term))
            {
                // Somebody else wrote a term over ours (a manual edit, a misconfigured peer): stop at once.
                _stolen = true;
                _leaderWake.TrySetResult();
            }

            SignalLocked();
        }

        if (announce is not null)
        {
            ElectionLog.NewLeader(_logger, _lease, announce, Identity);
            foreach (var callback in _callbacks.NewLeader())
            {
                try
                {
                    callback(announce);
                }
                catch (Exception e)
                {
                    ElectionLog.CallbackFailed(_logger, "OnNewLeader", Identity, _lease, e);
                }
            }
        }
    }

    private void Signal()
    {
        lock (_gate)
        {
            SignalLocked();
        }
    }

    private void SignalLocked()
    {
        var previous = _changed;
        _changed = NewSignal();
        previous.TrySetResult();
    }

    // ---- Plumbing --------------------------------------------------------------------------------

    private async Task WaitAsync(Task changed, TimeSpan timeout, CancellationToken stop)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var delay = Task.Delay(Clamp(timeout), _time, cancel.Token);
        await Task.WhenAny(changed, delay).ConfigureAwait(false);
        await cancel.CancelAsync().ConfigureAwait(false);
        stop.ThrowIfCancellationRequested();
    }

    private void Failed(string operation, Exception e)
    {
        if (e is HttpRequestException or TimeoutException or OperationCanceledException)
        {
            _apiReachable = false;
        }

        _metrics.Failures.Add(1, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("lease", _lease));
        ElectionLog.ApiFailed(_logger, operation, _lease, Identity, Problem(e), Unexpected(e));
    }

    private static string Problem(Exception e) => e switch
    {
        k8s.Autorest.HttpOperationException http => $"{(int)http.Response.StatusCode} {http.Response.StatusCode}: {http.Response.Content}",
        OperationCanceledException => "timed out",
        HttpRequestException { InnerException: { } inner } => $"{e.Message} ({inner.Message})",
        _ => e.Message,
    };

    /// <summary>
    /// The exception worth a stack trace in the log: API answers and network failures are expected during
    /// partitions and are fully described by <see cref="Problem"/>; anything else is a defect to show whole.
    /// </summary>
    private static Exception? Unexpected(Exception e) =>
        e is k8s.Autorest.HttpOperationException or HttpRequestException or IOException or OperationCanceledException ? null : e;

    private Attempt Deadline(CancellationToken token, TimeSpan timeout) => new(token, Clamp(timeout), _time);

    /// <summary>
    /// Whether <paramref name="candidate"/> is an older resourceVersion than <paramref name="current"/>. The
    /// API treats versions as opaque, but every API server issues them from etcd's revision counter, so
    /// they compare as integers; anything else is never judged older.
    /// </summary>
    private static bool IsOlder(string? candidate, string? current) =>
        long.TryParse(candidate, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var a)
        && long.TryParse(current, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var b)
        && a < b;

    private static TimeSpan Clamp(TimeSpan value) => value < TimeSpan.Zero ? TimeSpan.Zero : value;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static V1Lease Copy(V1Lease lease) => KubernetesJson.Deserialize<V1Lease>(KubernetesJson.Serialize(lease));

    private static string Describe(StepDown why) => why switch
    {
        StepDown.Stopping => "stopping",
        StepDown.Failover => "handing over on request",
        StepDown.Lost => "another replica holds the Lease",
        StepDown.WorkFailed => "leader work failed",
        _ => "could not renew before the renew deadline",
    };

    private enum StepDown
    {
        Stopping,
        Failover,
        Lost,
        WorkFailed,
        DeadlineExceeded,
    }

    private sealed record Observation(V1Lease? Lease, long ObservedAt, bool First);

    /// <summary>One API call's budget: cancelled by its callers' tokens or when its time runs out on the provider's clock.</summary>
    private sealed class Attempt : IDisposable
    {
        private readonly CancellationTokenSource _timeout;
        private readonly CancellationTokenSource _linked;

        public Attempt(CancellationToken token, TimeSpan timeout, TimeProvider time)
            : this(token, CancellationToken.None, timeout, time)
        {
        }

        public Attempt(CancellationToken first, CancellationToken second, TimeSpan timeout, TimeProvider time)
        {
            _timeout = new CancellationTokenSource(timeout, time);
            _linked = CancellationTokenSource.CreateLinkedTokenSource(first, second, _timeout.Token);
        }

        public CancellationToken Token => _linked.Token;

        public void Dispose()
        {
            _linked.Dispose();
            _timeout.Dispose();
        }
    }

    private sealed class FailoverRequest(string? successor)
    {
        public string? Successor { get; } = successor;

        public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
