using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using RoostKeeper.Ha.Diagnostics;
using RoostKeeper.Ha.KubernetesApi;

namespace RoostKeeper.Ha.Election;

/// <summary>
/// What one replica knows of the Lease. Follows it by watch (polling every RetryPeriod while the watch is
/// down, re-reading after 410 Gone), takes in the responses to the elector's own requests, keeps the latest
/// observation stamped with the local monotonic clock, and announces new holders off the caller's path.
/// </summary>
/// <remarks>
/// resourceVersions are opaque: they are only compared for equality, never ordered, so an etcd restore or
/// another API server (versions that go backwards) cannot make fresh reads look "older". The one ordering
/// problem (a watch event that arrives after the response to a later request) is solved from the watch
/// stream's own order: after applying a response with version V, events before V's echo are older than V
/// and skipped; a response whose version the watch already delivered is older than what we hold.
/// </remarks>
internal sealed class LeaseWatch
{
    private const int RecentVersions = 64;
    private const string DeletedEcho = "\0deleted";

    private readonly ILeaseClient _client;
    private readonly ElectionSettings _settings;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ElectionMetrics _metrics;
    private readonly LeadershipCallbacks _callbacks;
    private readonly Action<V1Lease?> _observed;
    private readonly string _lease;
    private readonly object _gate = new();
    private readonly Queue<string> _delivered = new();
    private string? _awaitedEcho;
    private Observation? _observation;
    private TaskCompletionSource _changed = NewSignal();
    private long? _highestTerm;
    private string? _announced;
    private Task _announcing = Task.CompletedTask;
    private volatile bool _watching;
    private volatile bool _apiReachable = true;
    private readonly LeaseFailures _failures;

    public LeaseWatch(ILeaseClient client, ElectionSettings settings, ILogger logger, TimeProvider time, ElectionMetrics metrics, LeadershipCallbacks callbacks, Action<V1Lease?> observed)
    {
        _client = client;
        _settings = settings;
        _logger = logger;
        _time = time;
        _metrics = metrics;
        _callbacks = callbacks;
        _observed = observed;
        _lease = $"{client.Namespace}/{client.Name}";
        _failures = new LeaseFailures(logger, time, client.Namespace, client.Name, settings.Identity, settings.RetryPeriod, settings.RenewDeadline);
    }

    /// <summary>The failed Lease calls: how they are logged, and whether the API server keeps refusing them.</summary>
    public LeaseFailures Failures => _failures;

    public bool IsWatching => _watching;

    public bool ApiReachable => _apiReachable;

    /// <summary>The highest leaseTransitions this replica has seen on the Lease, whatever happened to it since.</summary>
    public long? HighestTerm
    {
        get
        {
            lock (_gate)
            {
                return _highestTerm;
            }
        }
    }

    /// <summary>The latest observation (null before the first read) and a task that completes at the next change.</summary>
    public (Observation? Observation, Task Changed) Snapshot()
    {
        lock (_gate)
        {
            return (_observation, _changed.Task);
        }
    }

    /// <summary>Follows the Lease until <paramref name="stop"/>.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        string? resourceVersion = null;
        var needRead = true;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (needRead)
                {
                    using var read = new Attempt(stop, _settings.RenewDeadline, _time);
                    var lease = await _client.GetAsync(read.Token).ConfigureAwait(false);
                    _apiReachable = true;
                    _failures.Succeeded("read");
                    Apply(lease, fromWatch: false, restartsStream: true);
                    resourceVersion = lease?.Metadata?.ResourceVersion;
                    needRead = false;
                }

                _watching = true;
                await foreach (var (type, lease) in _client.WatchAsync(resourceVersion, stop).ConfigureAwait(false))
                {
                    resourceVersion = lease.Metadata?.ResourceVersion ?? resourceVersion;
                    _failures.Succeeded("watch");
                    _metrics.WatchEvents.Add(1, new KeyValuePair<string, object?>("lease", _lease));
                    if (type != WatchEventType.Bookmark)
                    {
                        Apply(type == WatchEventType.Deleted ? null : lease, fromWatch: true, restartsStream: false, version: type == WatchEventType.Deleted ? DeletedEcho : resourceVersion);
                    }
                }
            }
            catch (LeaseWatchExpiredException)
            {
                ElectionLog.WatchExpired(_logger, _lease, _settings.Identity);
                needRead = true;
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                var failedRead = needRead;
                if (failedRead)
                {
                    _apiReachable = false;
                }

                StopWatching();
                needRead = true;
                _metrics.Failures.Add(1, new KeyValuePair<string, object?>("operation", "watch"), new KeyValuePair<string, object?>("lease", _lease));
                _failures.Failed(failedRead ? "read" : "watch", e, pollingEvery: _settings.RetryPeriod);
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

    /// <summary>Takes in the Lease as returned by one of our own requests (a write's response, a re-read).</summary>
    public void ObserveResponse(V1Lease? lease) => Apply(lease, fromWatch: false, restartsStream: false);

    /// <summary>Re-reads the Lease for the elector; never throws. Ok is false when the read failed or was cancelled.</summary>
    public async Task<(bool Ok, V1Lease? Lease)> ReadAsync(string operation, CancellationToken cancellationToken)
    {
        try
        {
            using var read = new Attempt(cancellationToken, _settings.RenewDeadline, _time);
            var lease = await _client.GetAsync(read.Token).ConfigureAwait(false);
            _apiReachable = true;
            _failures.Succeeded("read");
            ObserveResponse(lease);
            return (true, lease);
        }
        catch (Exception e)
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                ReportFailure(operation, e);
            }

            return (false, null);
        }
    }

    /// <summary>Counts and logs a failed Lease call; API and network failures as one line, anything else with its stack.</summary>
    public void ReportFailure(string operation, Exception e)
    {
        if (KubernetesApiErrors.IsTransient(e) && KubernetesApiErrors.StatusCode(e) is null)
        {
            // No answer at all (refused, reset, timed out): the API server is unreachable, not just failing.
            _apiReachable = false;
        }

        _metrics.Failures.Add(1, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("lease", _lease));
        _failures.Failed(operation, e);
    }

    /// <summary>A write of the Lease was answered (written, or a conflict): the API server is reachable and lets us write.</summary>
    public void MarkReachable()
    {
        _apiReachable = true;
        _failures.Succeeded("acquire");
    }

    private void StopWatching()
    {
        lock (_gate)
        {
            _watching = false;
            _awaitedEcho = null;
        }
    }

    /// <summary>
    /// Records what the Lease looks like now. A read or event of the version already recorded (or older than one
    /// the watch delivered) changes nothing. A new version is recorded, but a follower's expiry count starts
    /// from the first sighting of the current election record (<see cref="LeaseRecord.SameRecord"/>): a new
    /// version that leaves the record unchanged (a label, another annotation) keeps the earlier sighting.
    /// </summary>
    private void Apply(V1Lease? lease, bool fromWatch, bool restartsStream, string? version = null)
    {
        version ??= lease?.Metadata?.ResourceVersion;
        string? announce = null;
        lock (_gate)
        {
            if (LeaseRecord.Term(lease) is { } term && (_highestTerm is null || term > _highestTerm))
            {
                _highestTerm = term;
            }

            if (restartsStream)
            {
                // A fresh read that the next watch starts from: the old stream's order no longer applies.
                _delivered.Clear();
                _awaitedEcho = null;
            }
            else if (fromWatch)
            {
                Remember(version);
                if (_awaitedEcho is not null)
                {
                    // Events before the echo of a response we applied are older than it.
                    if (version == _awaitedEcho)
                    {
                        _awaitedEcho = null;
                    }

                    return;
                }
            }
            else if (version is not null && _delivered.Contains(version))
            {
                return; // the watch delivered this version already, and maybe newer ones since
            }
            else if (_watching && version is not null)
            {
                // Skip watch events until the stream catches up with this response. (A response that the
                // Lease is gone is not awaited: its echo's version is unknown, so at worst an older event
                // shows the Lease briefly until the deletion arrives.)
                _awaitedEcho = version;
            }

            var previous = _observation;
            if (previous is not null && (previous.Lease is null) == (lease is null) && previous.Lease?.Metadata?.ResourceVersion == lease?.Metadata?.ResourceVersion)
            {
                return;
            }

            // A follower counts LeaseDuration from when it first saw the current election record. Any sighting
            // after the holder sent the write is safe (the holder stops by its send + RenewDeadline), so an edit
            // that leaves the record unchanged keeps the earlier time: otherwise a client that keeps editing the
            // Lease's labels would keep a dead leader's Lease from ever expiring.
            var observedAt = previous is not null && LeaseRecord.SameRecord(previous.Lease, lease) ? previous.ObservedAt : _time.GetTimestamp();
            _observation = new Observation(lease, observedAt, First: previous is null);
            var holder = LeaseRecord.Holder(lease);
            if (holder is null)
            {
                _announced = null;
            }
            else if (holder != _announced)
            {
                _announced = announce = holder;
                _announcing = _announcing.ContinueWith(_ => Announce(holder), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }

            var previousSignal = _changed;
            _changed = NewSignal();
            previousSignal.TrySetResult();
        }

        _observed(lease);
        if (announce is not null)
        {
            ElectionLog.NewLeader(_logger, _lease, announce, _settings.Identity);
        }
    }

    private void Remember(string? version)
    {
        if (version is null)
        {
            return;
        }

        _delivered.Enqueue(version);
        if (_delivered.Count > RecentVersions)
        {
            _delivered.Dequeue();
        }
    }

    /// <summary>Runs OnNewLeader callbacks one holder at a time, in order, on the thread pool: a slow handler delays nothing else.</summary>
    private void Announce(string holder)
    {
        foreach (var callback in _callbacks.NewLeader())
        {
            try
            {
                callback(holder);
            }
            catch (Exception e)
            {
                ElectionLog.CallbackFailed(_logger, "OnNewLeader", _settings.Identity, _lease, e);
            }
        }
    }

    private void Signal()
    {
        lock (_gate)
        {
            var previous = _changed;
            _changed = NewSignal();
            previous.TrySetResult();
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The Lease as observed (null: it does not exist), when, and whether it was the first observation.</summary>
    internal sealed record Observation(V1Lease? Lease, long ObservedAt, bool First);
}
