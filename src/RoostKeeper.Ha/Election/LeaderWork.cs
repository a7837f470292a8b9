using Microsoft.Extensions.Logging;
using RoostKeeper.Ha.Diagnostics;

namespace RoostKeeper.Ha.Election;

/// <summary>
/// The leader work of one term: every OnStartedLeading callback, started together on the term's token.
/// It reports a callback that fails while the term is live (the term must end), says when all of them
/// have returned (drained), and runs the OnStoppedLeading callbacks exactly once.
/// </summary>
internal sealed class LeaderWork
{
    private readonly LeadershipCallbacks _callbacks;
    private readonly ILogger _logger;
    private readonly ElectionMetrics _metrics;
    private readonly string _identity;
    private readonly string _lease;
    private readonly TaskCompletionSource _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _stoppedNotified;

    private LeaderWork(LeadershipCallbacks callbacks, ILogger logger, ElectionMetrics metrics, string identity, string lease)
    {
        _callbacks = callbacks;
        _logger = logger;
        _metrics = metrics;
        _identity = identity;
        _lease = lease;
        Completion = Task.CompletedTask;
    }

    /// <summary>Completes when every callback has returned (or thrown): the work is drained.</summary>
    public Task Completion { get; private set; }

    /// <summary>Completes when a callback failed while its token was live.</summary>
    public Task Failed => _failed.Task;

    /// <summary>Starts the callbacks, each on the thread pool so none can delay the others or the elector.</summary>
    public static LeaderWork Start(LeadershipCallbacks callbacks, Leadership leadership, CancellationToken token, ILogger logger, ElectionMetrics metrics, string lease)
    {
        var work = new LeaderWork(callbacks, logger, metrics, leadership.Identity, lease);
        work.Completion = Task.WhenAll(callbacks.Started().Select(callback => Task.Run(() => work.RunAsync(callback, leadership, token), CancellationToken.None)));
        return work;
    }

    /// <summary>Waits up to <paramref name="timeout"/> on <paramref name="time"/>; true when the work is drained.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken = default)
    {
        if (Completion.IsCompleted)
        {
            return true;
        }

        using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await Task.WhenAny(Completion, Task.Delay(timeout, time, stopWaiting.Token)).ConfigureAwait(false);
        await stopWaiting.CancelAsync().ConfigureAwait(false);
        return Completion.IsCompleted;
    }

    /// <summary>
    /// Waits until the work is drained, logging every <paramref name="logEvery"/> that it is not, so this
    /// replica never competes while a previous term's work still runs. Returns early only on <paramref name="stop"/>.
    /// </summary>
    public async Task WaitUntilDrainedAsync(TimeSpan logEvery, TimeProvider time, CancellationToken stop)
    {
        while (!await WaitAsync(logEvery, time, stop).ConfigureAwait(false))
        {
            if (stop.IsCancellationRequested)
            {
                return;
            }

            ElectionLog.LeaderWorkNotStopping(_logger, _identity, _lease, logEvery);
        }
    }

    /// <summary>Runs the OnStoppedLeading callbacks, the first time only.</summary>
    public void NotifyStopped()
    {
        if (Interlocked.Exchange(ref _stoppedNotified, 1) == 1)
        {
            return;
        }

        foreach (var callback in _callbacks.Stopped())
        {
            try
            {
                callback();
            }
            catch (Exception e)
            {
                ElectionLog.CallbackFailed(_logger, "OnStoppedLeading", _identity, _lease, e);
            }
        }
    }

    private async Task RunAsync(Func<Leadership, CancellationToken, Task> callback, Leadership leadership, CancellationToken token)
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
            if (token.IsCancellationRequested)
            {
                ElectionLog.CallbackFailed(_logger, "OnStartedLeading", _identity, _lease, e);
                return;
            }

            ElectionLog.LeaderWorkFailed(_logger, _identity, _lease, e);
            _metrics.Failures.Add(1, new KeyValuePair<string, object?>("operation", "work"), new KeyValuePair<string, object?>("lease", _lease));
            _failed.TrySetResult();
        }
    }
}
