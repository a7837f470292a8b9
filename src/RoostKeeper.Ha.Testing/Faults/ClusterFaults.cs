using System.Collections.Concurrent;
using System.Net;

namespace RoostKeeper.Ha.Testing;

/// <summary>
/// Per-client fault injection for a <see cref="SimulatedCluster"/>: the cluster's chaos controls. Faults
/// are keyed by the name given to <see cref="SimulatedCluster.CreateClient(string)"/>, so one replica can be
/// cut off while the others keep talking to the API server.
/// </summary>
public sealed class ClusterFaults
{
    private readonly ConcurrentDictionary<string, ClientFaultState> _clients = new(StringComparer.Ordinal);

    internal ClusterFaults()
    {
    }

    /// <summary>
    /// Cuts <paramref name="client"/> off from the API server as a network partition would: its open
    /// connections (watches included) are dropped, and its new requests fail until <see cref="Heal"/>.
    /// </summary>
    /// <param name="client">The client name.</param>
    /// <param name="mode">
    /// <see cref="PartitionMode.Reset"/> (default): requests fail at once with a connection reset.
    /// <see cref="PartitionMode.Blackhole"/>: requests hang, as packets dropped on the floor do, until the
    /// client gives up or the partition heals (then the connection is reset).
    /// </param>
    public void Partition(string client, PartitionMode mode = PartitionMode.Reset)
    {
        var state = For(client);
        state.Partition = mode;
        state.AbortInFlight();
    }

    /// <summary>Ends a partition of <paramref name="client"/>; latency and queued failures stay as they are.</summary>
    /// <param name="client">The client name.</param>
    public void Heal(string client)
    {
        var state = For(client);
        state.Partition = null;
        state.ReleaseBlackholed();
    }

    /// <summary>Whether <paramref name="client"/> is currently partitioned.</summary>
    /// <param name="client">The client name.</param>
    /// <returns>True while a partition is in force.</returns>
    public bool IsPartitioned(string client) => _clients.TryGetValue(client, out var state) && state.Partition is not null;

    /// <summary>Delays every request of <paramref name="client"/> by <paramref name="latency"/> before the server handles it.</summary>
    /// <param name="client">The client name.</param>
    /// <param name="latency">The added delay; <see cref="TimeSpan.Zero"/> removes it.</param>
    public void AddLatency(string client, TimeSpan latency)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(latency, TimeSpan.Zero);
        For(client).Latency = latency;
    }

    /// <summary>
    /// Makes the next <paramref name="count"/> requests of <paramref name="client"/> fail with
    /// <paramref name="status"/> and a Kubernetes <c>Status</c> body, without reaching the store.
    /// </summary>
    /// <param name="client">The client name.</param>
    /// <param name="status">The HTTP status code to answer with.</param>
    /// <param name="count">How many requests fail; must be positive.</param>
    public void FailNext(string client, HttpStatusCode status, int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var state = For(client);
        for (var i = 0; i < count; i++)
        {
            state.Failures.Enqueue(status);
        }
    }

    /// <summary>Removes every fault of <paramref name="client"/>: partition, latency and queued failures.</summary>
    /// <param name="client">The client name.</param>
    public void Clear(string client)
    {
        var state = For(client);
        state.Failures.Clear();
        state.Latency = TimeSpan.Zero;
        state.Partition = null;
        state.ReleaseBlackholed();
    }

    internal ClientFaultState For(string client) => _clients.GetOrAdd(client, static _ => new ClientFaultState());
}
