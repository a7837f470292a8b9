using System.Collections.Concurrent;

namespace RoostKeeper.Ha.Testing;

/// <summary>
/// Counts the requests that reached a <see cref="SimulatedCluster"/>, per client and per Kubernetes verb
/// (get, list, watch, create, update, patch, delete, deletecollection) and resource. Requests that a fault
/// failed are counted too: they are what the client sent.
/// </summary>
public sealed class RequestLog
{
    private readonly ConcurrentDictionary<(string Client, string Verb, string Resource), long> _counts = new();

    internal RequestLog()
    {
    }

    /// <summary>All requests received from every client.</summary>
    public long Total => _counts.Values.Sum();

    /// <summary>The requests received from <paramref name="client"/>.</summary>
    /// <param name="client">The client name.</param>
    /// <returns>The count.</returns>
    public long Count(string client) => _counts.Where(p => p.Key.Client == client).Sum(p => p.Value);

    /// <summary>The requests of <paramref name="client"/> with verb <paramref name="verb"/>, optionally for one resource.</summary>
    /// <param name="client">The client name.</param>
    /// <param name="verb">A Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection.</param>
    /// <param name="resource">A resource's plural name (e.g. "leases", or "deployments/status"); null for any.</param>
    /// <returns>The count.</returns>
    public long Count(string client, string verb, string? resource = null) =>
        _counts.Where(p => p.Key.Client == client && p.Key.Verb == verb && (resource is null || p.Key.Resource == resource)).Sum(p => p.Value);

    /// <summary>Sets every count back to zero.</summary>
    public void Reset() => _counts.Clear();

    internal void Record(string client, string verb, string resource) =>
        _counts.AddOrUpdate((client, verb, resource), 1, static (_, n) => n + 1);
}
