using RoostKeeper.Ha.Diagnostics;
using RoostKeeper.Ha.Fencing;

namespace RoostKeeper.Ha.Sample.Controller;

/// <summary>What this replica's controller did last (one per replica), read by its health check and the walk-through.</summary>
internal sealed class ControllerActivity
{
    private readonly Lock _gate = new();
    private TermStamp? _term;
    private IReadOnlyList<ReconcileOutcome> _lastOutcomes = [];
    private string? _lastError;
    private long _resyncs;
    private long _reconciled;

    /// <summary>The term the controller runs under now; null while it does not run.</summary>
    public TermStamp? Term
    {
        get
        {
            lock (_gate)
            {
                return _term;
            }
        }
    }

    /// <summary>Completed resyncs since start (all terms).</summary>
    public long Resyncs => Interlocked.Read(ref _resyncs);

    /// <summary>Roosts reconciled successfully since start (all terms and shards).</summary>
    public long Reconciled => Interlocked.Read(ref _reconciled);

    /// <summary>The error of the last resync or reconcile, null when the last resync reconciled every roost.</summary>
    public string? LastError
    {
        get
        {
            lock (_gate)
            {
                return _lastError;
            }
        }
    }

    public IReadOnlyList<ReconcileOutcome> LastOutcomes
    {
        get
        {
            lock (_gate)
            {
                return _lastOutcomes;
            }
        }
    }

    public void TermStarted(TermStamp term)
    {
        lock (_gate)
        {
            _term = term;
        }
    }

    public void TermEnded(TermStamp term)
    {
        lock (_gate)
        {
            if (Equals(_term, term))
            {
                _term = null;
            }
        }
    }

    public void Resynced(IReadOnlyList<ReconcileOutcome> outcomes)
    {
        lock (_gate)
        {
            _lastOutcomes = outcomes;
            _lastError = outcomes.FirstOrDefault(o => o.Result == ReconcileResult.Error)?.Detail;
        }

        Interlocked.Add(ref _reconciled, outcomes.Count(o => o.Result == ReconcileResult.Success));
        Interlocked.Increment(ref _resyncs);
    }

    public void ResyncFailed(Exception error)
    {
        lock (_gate)
        {
            _lastError = $"{error.GetType().Name}: {error.Message}";
        }
    }
}
