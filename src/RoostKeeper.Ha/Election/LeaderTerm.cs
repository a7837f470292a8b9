using k8s.Models;

namespace RoostKeeper.Ha.Election;

/// <summary>
/// The state of one term this replica leads: its leader token (cancelled by the clock at the renew
/// deadline, so work stops on time even while the renew loop is stuck), the Lease as last written, and the
/// reasons to end early (lost to another writer, a hand-over request). Created when a term is won and
/// disposed by the step-down, the only way out of a term.
/// </summary>
internal sealed class LeaderTerm : IDisposable
{
    private readonly CancellationTokenSource _token;
    private readonly TimeSpan _renewDeadline;
    private readonly TimeProvider _time;
    private readonly TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _gate = new();
    private FailoverRequest? _failover;
    private volatile bool _lost;
    private bool _ended;
    private long _lastSent;

    public LeaderTerm(Leadership leadership, V1Lease written, long sentAt, TimeSpan renewDeadline, TimeProvider time)
    {
        Leadership = leadership;
        Current = written;
        LastSent = sentAt;
        _renewDeadline = renewDeadline;
        _time = time;
        _token = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        _token.CancelAfter(ElectionTiming.Clamp(renewDeadline - time.GetElapsedTime(sentAt)));
    }

    public Leadership Leadership { get; }

    public long Number => Leadership.Term;

    /// <summary>The leader token handed to OnStartedLeading.</summary>
    public CancellationToken Token => _token.Token;

    public bool DeadlinePassed => _token.IsCancellationRequested;

    /// <summary>The Lease as this term last wrote or re-read it: the base (and resourceVersion) of the next write.</summary>
    public V1Lease Current { get; set; }

    /// <summary>When the last successful renewal was sent: the renew deadline counts from here.</summary>
    public long LastSent
    {
        get => Volatile.Read(ref _lastSent);
        private set => Volatile.Write(ref _lastSent, value);
    }

    public LeaderWork? Work { get; set; }

    /// <summary>Completes when the term should end before its next renewal (lost, failover requested, work failed).</summary>
    public Task Wake => _wake.Task;

    public bool Lost => _lost;

    public FailoverRequest? Failover
    {
        get
        {
            lock (_gate)
            {
                return _failover;
            }
        }
    }

    public TimeSpan UntilDeadline => _renewDeadline - _time.GetElapsedTime(LastSent);

    /// <summary>A renewal sent at <paramref name="sentAt"/> succeeded: the deadline moves to sentAt + RenewDeadline.</summary>
    public void Renewed(V1Lease written, long sentAt)
    {
        Current = written;
        LastSent = sentAt;
        if (!_token.IsCancellationRequested)
        {
            _token.CancelAfter(ElectionTiming.Clamp(UntilDeadline));
        }
    }

    /// <summary>Another writer holds the Lease now: the term is over.</summary>
    public void MarkLost()
    {
        _lost = true;
        _wake.TrySetResult();
    }

    /// <summary>Asks the term to hand over; null when the term already ended (nothing to hand over).</summary>
    public FailoverRequest? RequestFailover(string? successor)
    {
        lock (_gate)
        {
            if (_ended)
            {
                return null;
            }

            _failover ??= new FailoverRequest(successor);
        }

        _wake.TrySetResult();
        return _failover;
    }

    public void WakeUp() => _wake.TrySetResult();

    /// <summary>
    /// Cancels the leader token and closes the term to new failover requests. Returns an exception a token
    /// callback threw (user code registered on the token), so the step-down can log it and go on.
    /// </summary>
    public async Task<Exception?> EndAsync()
    {
        lock (_gate)
        {
            _ended = true;
        }

        try
        {
            await _token.CancelAsync().ConfigureAwait(false);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    /// <summary>Completes a pending failover request with <paramref name="handedOver"/>.</summary>
    public void CompleteFailover(bool handedOver) => Failover?.Done.TrySetResult(handedOver);

    /// <summary>Disposes the token; call only once the work is drained (it may still hold the token).</summary>
    public void Dispose() => _token.Dispose();

    /// <summary>A request to hand over, completed with whether the hand-over (or release) was written.</summary>
    internal sealed class FailoverRequest(string? successor)
    {
        public string? Successor { get; } = successor;

        public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
