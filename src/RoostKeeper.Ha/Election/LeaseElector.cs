// Leader election on a coordination.k8s.io/v1 Lease, wire-compatible with client-go and
// KubernetesClient (holderIdentity, leaseDurationSeconds, acquireTime, renewTime, leaseTransitions).
// The record is built in LeaseRecord, the Lease is followed in LeaseWatch, leader work runs in
// LeaderWork; this file is the algorithm.
//
// Assumed: every replica's monotonic clock runs at (nearly) the same rate. Wall clocks may be skewed
// arbitrarily: no decision reads a remote timestamp (except the opt-in cold-start path, MaxClockSkew).
//
// Guaranteed while that holds: no two replicas act as leader at once.
//  - A follower counts LeaseDuration on its own monotonic clock from its first sighting of the current
//    election record (holder, times, transitions, hand-over mark: LeaseRecord.SameRecord), never from
//    renewTime, and takes the Lease only with a conditional write (resourceVersion), so of several racing
//    followers exactly one wins. An edit that leaves the record unchanged (labels, other annotations)
//    does not restart the count, or a client editing labels could keep a dead leader's Lease alive.
//  - The leader counts RenewDeadline from the moment it *sent* its last successful renewal. The server
//    wrote that renewal after it was sent, and a follower observed the write after it was made, so the
//    follower's expiry instant is at least sent + LeaseDuration, while the leader's token is cancelled
//    at sent + RenewDeadline (by a timer, whatever the renew loop is doing). The leader therefore stops
//    first, with LeaseDuration − RenewDeadline (5 s by default) as the margin for clock-rate differences
//    and for pauses between the deadline check and the leader's last action.
//  - Every way out of a term (deadline, lost, stop, hand-over, failed work, an exception from anywhere
//    in the renew loop) goes through LeadAsync's finally: one step-down that cancels the token, clears
//    IsLeader, runs OnStoppedLeading once, completes a pending failover and waits for the work before
//    this replica competes again. Nothing in a term can leave it half a leader.
//  - A leader that is stopped gracefully cancels its work, waits for it (bounded), and only then
//    writes an empty holder; work that will not stop keeps the Lease unreleased (KEP-5366: releasing
//    while work runs is what lets client-go and controller-runtime run two leaders).
//  - A hand-over is a conditional write by a leader whose term has ended and whose work has drained. It
//    names the successor with a short duration (ElectionSettings.HandOverGraceSeconds): the successor takes
//    its term at once, even inside its own hold-off; everyone else counts that grace from their own
//    observation, like any expiry, so a successor that died after it was named costs a grace, not a
//    LeaseDuration. Either way the taking is a conditional write: one winner.
//  - A replica never continues a term it lost: after stepping down it must win a new conditional write,
//    which starts a new term, higher than any term it has seen (leaseTransitions + 1, or more).
// Not guaranteed: fencing. A leader paused longer than the margin (a stop-the-world pause, a frozen VM)
// can act after its term ended. Writers that need fencing store Leadership.Term with their writes.
using System.Diagnostics;
using k8s.Models;
using Microsoft.Extensions.Logging;
using RoostKeeper.Ha.Diagnostics;

namespace RoostKeeper.Ha.Election;

/// <summary>The Lease elector: acquires, renews, steps down, releases and hands over one Lease.</summary>
internal sealed partial class LeaseElector : ILeaderElector
{
    private readonly ILeaseClient _client;
    private readonly ElectionSettings _settings;
    private readonly LeadershipCallbacks _callbacks;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ElectionMetrics _metrics;
    private readonly LeaseWatch _watch;
    private readonly string _lease;
    private readonly object _gate = new();
    private LeaderTerm? _term;
    private long? _lastTerm;
    private long _holdOffUntil;
    private long _retryNotBefore;
    private string? _lostRaceOn;
    private int _running;

    public LeaseElector(ILeaseClient client, ElectionSettings settings, LeadershipCallbacks callbacks, ILogger logger, TimeProvider time, ElectionMetrics metrics)
    {
        _client = client;
        _settings = settings;
        _callbacks = callbacks;
        _logger = logger;
        _time = time;
        _metrics = metrics;
        _lease = $"{client.Namespace}/{client.Name}";
        _watch = new LeaseWatch(client, settings, logger, time, metrics, callbacks, CheckTerm);
    }

    public string Identity => _settings.Identity;

    public ElectionSettings Settings => _settings;

    public TimeProvider Time => _time;

    public Leadership? Leadership => Volatile.Read(ref _term)?.Leadership;

    public bool IsLeader => Leadership is not null;

    public long? LastRenewalSentAt => Volatile.Read(ref _term)?.LastSent;

    /// <summary>Whether <see cref="RunAsync"/> is running: false before it starts, after it ends and if it failed.</summary>
    public bool IsRunning => Volatile.Read(ref _running) == 1;

    public bool IsWatching => _watch.IsWatching;

    public bool ApiReachable => _watch.ApiReachable;

    /// <summary>A refusal of the Lease calls that retrying will not fix (RBAC, a missing namespace), while it lasts.</summary>
    public LeaseRefusal? Refusal => _watch.Failures.Refusal;

    /// <summary>The Lease as last observed (null when it does not exist or was not read yet).</summary>
    public V1Lease? ObservedLease => _watch.Snapshot().Observation?.Lease;

    /// <summary>The holder of the Lease when it is held and, by this replica's clock, not expired.</summary>
    public string? CurrentLeader
    {
        get
        {
            var observation = _watch.Snapshot().Observation;
            if (LeaseRecord.Holder(observation?.Lease) is not { } holder || (holder == Identity && !IsLeader))
            {
                return null;
            }

            return Remaining(observation!, _time.GetTimestamp()) > TimeSpan.Zero ? holder : null;
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
        var watch = Task.Run(() => _watch.RunAsync(watchStop.Token), CancellationToken.None);
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

    /// <summary>Asks the leader to hand over; completes when the term has ended (true: the hand-over or release was written).</summary>
    public Task<bool> RequestFailoverAsync(string? successor, CancellationToken cancellationToken)
    {
        if (successor == Identity)
        {
            throw new ArgumentException($"A replica cannot hand leadership over to itself ({successor}).", nameof(successor));
        }

        var request = Volatile.Read(ref _term)?.RequestFailover(successor);
        return request is null ? Task.FromResult(false) : request.Done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Reads the Lease for a status report, bounded by RenewDeadline on the TimeProvider; changes nothing.</summary>
    public async Task<V1Lease?> ReadForStatusAsync(CancellationToken cancellationToken)
    {
        using var read = new Attempt(cancellationToken, _settings.RenewDeadline, _time);
        return await _client.GetAsync(read.Token).ConfigureAwait(false);
    }

    // ---- Following -------------------------------------------------------------------------------

    private async Task<(V1Lease Lease, long SentAt)?> AcquireAsync(CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var (observation, changed) = _watch.Snapshot();
                var wait = observation is null ? _settings.RetryPeriod : TimeUntilTakeable(observation);
                if (observation is null || wait > TimeSpan.Zero)
                {
                    // No observation yet: the watch loop reads first (and retries every RetryPeriod).
                    await ElectionTiming.WaitAsync(changed, wait, _time, stop).ConfigureAwait(false);
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
    private TimeSpan TimeUntilTakeable(LeaseWatch.Observation observation)
    {
        var now = _time.GetTimestamp();
        var holdOff = _time.GetElapsedTime(now, Math.Max(Interlocked.Read(ref _holdOffUntil), Interlocked.Read(ref _retryNotBefore)));
        var lease = observation.Lease;
        if (LeaseRecord.Holder(lease) is not { } holder)
        {
            return holdOff;
        }

        // A hand-over naming us: taken at once, even inside our own hold-off. Safe: the previous holder wrote
        // the hand-over only after its term ended and its work drained (StepDownAsync), our own previous
        // term's work drained before we came back to compete, and taking is a conditional write on the
        // observed version, so of us and anyone racing us exactly one wins. The hold-off only exists to let
        // the others win after we failed; a leader that names us has chosen, and waiting out the hold-off
        // would leave the Lease held by nobody who acts (the leaderless gap of a second hand-over).
        if (holder == Identity && LeaseRecord.IsHandedTo(lease, Identity))
        {
            // The race back-off only keeps replicas that keep losing to each other from spinning. A hand-over
            // written after the race we lost is a leader's choice, not a race: taken at once too (replicas that
            // raced to create the Lease at start-up otherwise made the first hand-off wait up to a RetryPeriod).
            // A take of this very record that conflicted, or a failed call, still backs off.
            if (Volatile.Read(ref _lostRaceOn) is { } lost && lost != lease?.Metadata?.ResourceVersion)
            {
                return TimeSpan.Zero;
            }

            return _time.GetElapsedTime(now, Interlocked.Read(ref _retryNotBefore));
        }

        // Our own term this process held (and lost, e.g. to a partition): safe at once for the same reason,
        // but never before a hold-off: a replica whose work keeps failing must let the others win.
        if (holder == Identity && LeaseRecord.Term(lease) == _lastTerm)
        {
            return holdOff;
        }

        var remaining = Remaining(observation, now);
        return remaining > holdOff ? remaining : holdOff;
    }

    /// <summary>Time left on the holder's Lease, counted on the local monotonic clock from our observation.</summary>
    private TimeSpan Remaining(LeaseWatch.Observation observation, long now)
    {
        var duration = LeaseRecord.Duration(observation.Lease, _settings.LeaseDuration);
        if (observation.First && _settings.MaxClockSkew is { } skew && observation.Lease?.Spec?.RenewTime is { } renewTime)
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

    private async Task<(V1Lease Lease, long SentAt)?> TryTakeAsync(LeaseWatch.Observation observation, CancellationToken stop)
    {
        var desired = LeaseRecord.ForAcquire(observation.Lease, _client.Namespace, _client.Name, Identity, _settings.LeaseDurationSeconds, _time.GetUtcNow().UtcDateTime, _watch.HighestTerm);

        // Remember the term we are trying for: if the write lands but its response is lost, the next read
        // shows our identity with this term and we may take it again at once.
        _lastTerm = desired.Spec.LeaseTransitions;
        using var activity = HaTelemetry.ActivitySource.StartActivity(HaActivities.LeaseAcquire);
        activity?.SetTag("lease", _lease).SetTag("identity", Identity);
        using var attempt = new Attempt(stop, _settings.RenewDeadline, _time);
        var sentAt = _time.GetTimestamp();
        try
        {
            var written = observation.Lease is null
                ? await _client.CreateAsync(desired, attempt.Token).ConfigureAwait(false)
                : await _client.ReplaceAsync(desired, attempt.Token).ConfigureAwait(false);
            _watch.MarkReachable();
            _watch.ObserveResponse(written);
            return (written, sentAt);
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
            return null; // Whatever the answer, we are shutting down; a term that did land expires.
        }
        catch (LeaseConflictException)
        {
            // Lost the race. Back off (jittered, at most RetryPeriod) before trying again, so replicas
            // that keep losing to each other, or to a server whose versions moved under them, cannot spin.
            _watch.MarkReachable();
            activity?.SetStatus(ActivityStatusCode.Error, "conflict");
            ElectionLog.Conflict(_logger, "Acquire", _lease, Identity);
            Interlocked.Exchange(ref _retryNotBefore, _time.GetTimestamp() + ToTicks(ElectionTiming.Jitter(_settings.RetryPeriod)));
            Volatile.Write(ref _lostRaceOn, observation.Lease?.Metadata?.ResourceVersion ?? string.Empty);
            await _watch.ReadAsync("read", stop).ConfigureAwait(false);
            return null;
        }
        catch (Exception e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            _watch.ReportFailure("acquire", e);
            Interlocked.Exchange(ref _retryNotBefore, _time.GetTimestamp() + ToTicks(_settings.RetryPeriod));
            Volatile.Write(ref _lostRaceOn, null);
            return null;
        }
    }

    // ---- Leading ---------------------------------------------------------------------------------

    /// <summary>
    /// One term, from winning the Lease to stepping down. The finally is the only way out, so every exit
    /// (including exceptions nobody expected) gets the whole step-down.
    /// </summary>
    private async Task LeadAsync(V1Lease lease, long sentAt, CancellationToken stop)
    {
        var leadership = new Leadership(Identity, LeaseRecord.Term(lease) ?? 0, _time.GetUtcNow(), _client.Namespace, _client.Name);
        var term = new LeaderTerm(leadership, lease, sentAt, _settings.RenewDeadline, _time);
        _lastTerm = term.Number;
        var why = StepDown.Failed;
        try
        {
            Volatile.Write(ref _term, term);
            _metrics.LeaderChanges.Add(1, new KeyValuePair<string, object?>("lease", _lease), new KeyValuePair<string, object?>("identity", Identity));
            ElectionLog.StartedLeading(_logger, Identity, _lease, term.Number);
            term.Work = LeaderWork.Start(_callbacks, leadership, term.Token, _logger, _metrics, _lease);
            _ = term.Work.Failed.ContinueWith(_ => term.WakeUp(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            CheckTerm(_watch.Snapshot().Observation?.Lease);
            why = await HoldAsync(term, stop).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            why = stop.IsCancellationRequested ? StepDown.Stopping : StepDown.Failed;
            if (why == StepDown.Failed)
            {
                ElectionLog.ApiFailed(_logger, "renew", _lease, Identity, e.Message, e);
            }
        }
        finally
        {
            await StepDownAsync(term, why, stop).ConfigureAwait(false);
        }
    }

    /// <summary>Renews every RetryPeriod until a reason to end the term appears, and returns it.</summary>
    private async Task<StepDown> HoldAsync(LeaderTerm term, CancellationToken stop)
    {
        var renewNow = false;
        while (true)
        {
            if (!renewNow)
            {
                var untilDeadline = term.UntilDeadline;
                var sleep = untilDeadline < _settings.RetryPeriod ? untilDeadline : _settings.RetryPeriod;
                using var wake = CancellationTokenSource.CreateLinkedTokenSource(stop, term.Token);
                var delay = Task.Delay(ElectionTiming.Clamp(sleep), _time, wake.Token);
                await Task.WhenAny(delay, term.Wake).ConfigureAwait(false);
                await wake.CancelAsync().ConfigureAwait(false);
            }

            if (Reason(term, stop) is { } why)
            {
                return why;
            }

            switch (await RenewAsync(term, stop).ConfigureAwait(false))
            {
                case Renewal.StillOurs:
                    renewNow = true;
                    break;
                case Renewal.Lost:
                    return StepDown.Lost;
                default:
                    renewNow = false;
                    break;
            }
        }
    }

    /// <summary>Why the term must end now, if it must. A lost term comes first: nothing of it may be released.</summary>
    private static StepDown? Reason(LeaderTerm term, CancellationToken stop) =>
        term.Lost ? StepDown.Lost
        : term.DeadlinePassed || term.UntilDeadline <= TimeSpan.Zero ? StepDown.DeadlineExceeded
        : stop.IsCancellationRequested ? StepDown.Stopping
        : term.Failover is not null ? StepDown.Failover
        : term.Work?.Failed.IsCompleted == true ? StepDown.WorkFailed
        : null;

    private async Task<Renewal> RenewAsync(LeaderTerm term, CancellationToken stop)
    {
        using var attempt = new Attempt(stop, term.Token, term.UntilDeadline, _time);
        using var activity = HaTelemetry.ActivitySource.StartActivity(HaActivities.LeaseRenew);
        activity?.SetTag("lease", _lease).SetTag("identity", Identity).SetTag("term", term.Number);
        var desired = LeaseRecord.ForRenewal(term.Current, Identity, _settings.LeaseDurationSeconds, _time.GetUtcNow().UtcDateTime);
        var sent = _time.GetTimestamp();
        try
        {
            var written = await _client.ReplaceAsync(desired, attempt.Token).ConfigureAwait(false);
            term.Renewed(written, sent);
            _watch.MarkReachable();
            _metrics.RenewDuration.Record(_time.GetElapsedTime(sent).TotalSeconds, new KeyValuePair<string, object?>("lease", _lease));
            ElectionLog.Renewed(_logger, Identity, _lease);
            _watch.ObserveResponse(written);
            return Renewal.Renewed;
        }
        catch (LeaseConflictException)
        {
            // Someone else wrote the Lease. Still ours (same holder and term, e.g. a label was edited)?
            // Then renew again at once on the fresh version; if the re-read shows anything else, the term
            // is over now, not at the deadline.
            ElectionLog.Conflict(_logger, "Renew", _lease, Identity);
            var (ok, fresh) = await _watch.ReadAsync("read", attempt.Token).ConfigureAwait(false);
            if (!ok)
            {
                return Renewal.Failed;
            }

            if (!LeaseRecord.IsTermOf(fresh, Identity, term.Number))
            {
                term.MarkLost();
                return Renewal.Lost;
            }

            term.Current = fresh!;
            return Renewal.StillOurs;
        }
        catch (Exception e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            if (!attempt.Token.IsCancellationRequested)
            {
                _watch.ReportFailure("renew", e);
            }

            return Renewal.Failed; // Stopping or past the deadline: the next turn of the loop says which.
        }
    }

    /// <summary>A change of the Lease while we lead: another holder or term written over ours ends the term at once.</summary>
    private void CheckTerm(V1Lease? lease)
    {
        if (Volatile.Read(ref _term) is { } term && !LeaseRecord.IsTermOf(lease, Identity, term.Number))
        {
            term.MarkLost();
        }
    }

    private long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    private enum StepDown
    {
        Stopping,
        Failover,
        Lost,
        WorkFailed,
        DeadlineExceeded,
        Failed,
    }

    private enum Renewal
    {
        Renewed,
        StillOurs,
        Lost,
        Failed,
    }
}
