using System.Net;
using RoostKeeper.Ha.Testing.Diagnostics;
using RoostKeeper.Ha.Testing.Store;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Controllers;

/// <summary>
/// Runs one controller the way controller-runtime does: watches feed a de-duplicating queue of keys, and
/// one worker reconciles them one at a time. A reconcile that throws is retried with backoff, so the loop
/// itself never dies; a watch that ends (the server closed it) is opened again and re-lists. Failures that
/// are part of a controller's life (an object deleted or changed under it) are retried quietly; anything
/// else is a simulator bug, logged and kept in <see cref="SimulatedCluster.Errors"/> so a test fails on it.
/// </summary>
internal sealed class ControllerLoop : IAsyncDisposable
{
    private static readonly TimeSpan WatchRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(2);

    private readonly ObjectStore _store;
    private readonly TimeProvider _time;
    private readonly Func<ObjectKey, TimeSpan?> _reconcile;
    private readonly ReconcileQueue _queue;
    private readonly CancellationTokenSource _stopping;
    private readonly Dictionary<ObjectKey, int> _failures = [];
    private readonly List<Task> _tasks = [];
    private readonly string _name;

    /// <summary>Starts watching <paramref name="sources"/> and reconciling the keys they yield until <paramref name="stopping"/>.</summary>
    /// <param name="store">The store the controller reads and writes.</param>
    /// <param name="time">The clock for retries and requeues.</param>
    /// <param name="sources">The watches whose events enqueue keys.</param>
    /// <param name="reconcile">Brings one object to its desired state; returns when to look at it again, if ever.</param>
    /// <param name="stopping">Stops the loop.</param>
    public ControllerLoop(ObjectStore store, TimeProvider time, IEnumerable<WatchSource> sources, Func<ObjectKey, TimeSpan?> reconcile, CancellationToken stopping)
    {
        _store = store;
        _time = time;
        _reconcile = reconcile;
        _name = reconcile.Target?.GetType().Name ?? "controller";
        _queue = new ReconcileQueue(time);
        _stopping = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        foreach (var source in sources)
        {
            _tasks.Add(Task.Run(() => WatchAsync(source, _stopping.Token), CancellationToken.None));
        }

        _tasks.Add(Task.Run(() => WorkAsync(_stopping.Token), CancellationToken.None));
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_tasks).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping is the expected way out of every loop.
        }

        _queue.Dispose();
        _stopping.Dispose();
    }

    private async Task WatchAsync(WatchSource source, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var subscription = _store.Watch(WatchFilter.All(source.Type), null);
                await foreach (var e in subscription.Events.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    foreach (var key in source.KeysFor(e))
                    {
                        _queue.Add(key);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A mapping that throws on an odd object must not stop the controller: report it, re-list below.
                _store.Errors.Unexpected($"{_name} watch of {source.Type.QualifiedPlural}", e);
            }

            try
            {
                await Task.Delay(WatchRetryDelay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            ObjectKey key;
            try
            {
                key = await _queue.TakeAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                var again = _reconcile(key);
                _failures.Remove(key);
                if (again is { } delay)
                {
                    _queue.AddAfter(key, delay);
                }
            }
            catch (Exception e)
            {
                // Objects change under a controller all the time (deleted, conflicting writes): retry
                // with exponential backoff, as a real controller's rate-limited queue does. Anything
                // else is retried too, but reported: it is a bug of the simulator.
                if (!IsExpected(e))
                {
                    _store.Errors.Unexpected($"{_name} reconcile {key}", e);
                }

                var failures = _failures.GetValueOrDefault(key) + 1;
                _failures[key] = failures;
                var delay = TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, FirstRetryDelay.Ticks << Math.Min(failures - 1, 10)));
                SimulatorLog.ReconcileRetry(_store.Errors.Logger, _name, key.ToString(), delay, e.Message);
                _queue.AddAfter(key, delay);
            }
        }
    }

    private static bool IsExpected(Exception e) =>
        e is ApiException { Code: HttpStatusCode.Conflict or HttpStatusCode.NotFound or HttpStatusCode.Forbidden or HttpStatusCode.Gone };
}
