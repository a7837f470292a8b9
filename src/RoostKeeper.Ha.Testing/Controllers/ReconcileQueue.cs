namespace RoostKeeper.Ha.Testing.Controllers;

/// <summary>
/// client-go's workqueue in miniature: a key is queued at most once however often it is added, keys come
/// out in the order they were first added, and a key can be added after a delay on the cluster's clock.
/// </summary>
internal sealed class ReconcileQueue : IDisposable
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly Queue<ObjectKey> _order = new();
    private readonly HashSet<ObjectKey> _queued = [];
    private readonly Dictionary<ObjectKey, (DateTimeOffset Due, ITimer Timer)> _delayed = [];
    private readonly SemaphoreSlim _available = new(0);
    private bool _disposed;

    public ReconcileQueue(TimeProvider time) => _time = time;

    public void Add(ObjectKey key)
    {
        lock (_gate)
        {
            if (_disposed || !_queued.Add(key))
            {
                return;
            }

            _order.Enqueue(key);
        }

        _available.Release();
    }

    /// <summary>Adds <paramref name="key"/> once <paramref name="delay"/> has passed; an earlier pending delay wins.</summary>
    public void AddAfter(ObjectKey key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }

        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var due = _time.GetUtcNow() + delay;
            if (_delayed.TryGetValue(key, out var pending))
            {
                if (pending.Due <= due)
                {
                    return;
                }

                pending.Timer.Dispose();
            }

            var timer = _time.CreateTimer(_ => Fire(key), null, delay, Timeout.InfiniteTimeSpan);
            _delayed[key] = (due, timer);
        }
    }

    public async Task<ObjectKey> TakeAsync(CancellationToken cancellationToken)
    {
        await _available.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            var key = _order.Dequeue();
            _queued.Remove(key);
            return key;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var (_, timer) in _delayed.Values)
            {
                timer.Dispose();
            }

            _delayed.Clear();
        }
    }

    private void Fire(ObjectKey key)
    {
        lock (_gate)
        {
            if (_delayed.Remove(key, out var pending))
            {
                pending.Timer.Dispose();
            }
        }

        Add(key);
    }
}
