using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Http;

namespace RoostKeeper.Ha.Testing;

/// <summary>The faults in force for one client, and its in-flight requests so a partition can drop them.</summary>
internal sealed class ClientFaultState
{
    private readonly ConcurrentDictionary<HttpContext, byte> _inFlight = new();
    private TaskCompletionSource _healed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private volatile int _partition = -1;

    public PartitionMode? Partition
    {
        get => _partition < 0 ? null : (PartitionMode)_partition;
        set => _partition = value is { } mode ? (int)mode : -1;
    }

    public TimeSpan Latency { get; set; }

    public ConcurrentQueue<HttpStatusCode> Failures { get; } = new();

    public Task Healed => Volatile.Read(ref _healed).Task;

    public void Track(HttpContext context) => _inFlight.TryAdd(context, 0);

    public void Untrack(HttpContext context) => _inFlight.TryRemove(context, out _);

    public void AbortInFlight()
    {
        foreach (var context in _inFlight.Keys)
        {
            try
            {
                context.Abort();
            }
            catch (ObjectDisposedException)
            {
                // The request completed between the snapshot of in-flight requests and the abort: nothing to drop.
            }
        }
    }

    public void ReleaseBlackholed()
    {
        var previous = Interlocked.Exchange(ref _healed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.TrySetResult();
    }
}
