using System.Collections.Concurrent;

namespace RoostKeeper.Ha.Testing;

/// <summary>
/// Counts the requests that reached a <see cref="SimulatedCluster"/>, per client and per Kubernetes verb
/// (get, list, watch, create, update, patch, delete, deletecollection) and resource. Requests that a fault
/// failed are counted too: they are what the client sent. Dry-run requests (<c>dryRun=All</c>) are counted
/// by <see cref="Count(string, string, string?)"/> like any other and can be told apart with
/// <see cref="CountDryRuns"/>; <see cref="CountPersistedWrites"/> counts only the writes the server accepted
/// and stored.
/// </summary>
public sealed class RequestLog
{
    private static readonly string[] WriteVerbs = ["create", "update", "patch", "delete", "deletecollection"];

    private readonly ConcurrentDictionary<(string Client, string Verb, string Resource, bool DryRun), long> _counts = new();
    private readonly ConcurrentDictionary<(string Client, string Verb, string Resource), long> _persisted = new();

    internal RequestLog()
    {
    }

    /// <summary>All requests received from every client.</summary>
    public long Total => _counts.Values.Sum();

    /// <summary>The requests received from <paramref name="client"/>.</summary>
    /// <param name="client">The client name.</param>
    /// <returns>The count.</returns>
    public long Count(string client) => _counts.Where(p => p.Key.Client == client).Sum(p => p.Value);

    /// <summary>The requests of <paramref name="client"/> with verb <paramref name="verb"/>, optionally for one resource, dry runs included.</summary>
    /// <param name="client">The client name.</param>
    /// <param name="verb">A Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection.</param>
    /// <param name="resource">A resource's plural name (e.g. "leases", or "deployments/status"); null for any.</param>
    /// <returns>The count.</returns>
    public long Count(string client, string verb, string? resource = null) =>
        _counts.Where(p => p.Key.Client == client && p.Key.Verb == verb && (resource is null || p.Key.Resource == resource)).Sum(p => p.Value);

    /// <summary>
    /// The dry-run requests (<c>dryRun=All</c>) of <paramref name="client"/>, optionally of one verb and resource,
    /// whatever their outcome. The server never stores anything for them.
    /// </summary>
    /// <param name="client">The client name.</param>
    /// <param name="verb">A write verb (create, update, patch, delete, deletecollection); null for any.</param>
    /// <param name="resource">A resource's plural name (e.g. "configmaps"); null for any.</param>
    /// <returns>The count.</returns>
    public long CountDryRuns(string client, string? verb = null, string? resource = null) =>
        _counts.Where(p => p.Key.DryRun && p.Key.Client == client && (verb is null || p.Key.Verb == verb) && (resource is null || p.Key.Resource == resource))
            .Sum(p => p.Value);

    /// <summary>
    /// The write requests (create, update, patch, delete, deletecollection) that the server accepted and
    /// stored: not dry runs, not failed (by a fault or by the API's answer). An accepted update that changes
    /// nothing counts too, as it does for a real API server's audit log. Use it to assert that a component
    /// wrote nothing: <c>Assert.Equal(0, cluster.Requests.CountPersistedWrites("restore"))</c>.
    /// </summary>
    /// <param name="client">The client name; null for every client.</param>
    /// <param name="resource">A resource's plural name (e.g. "configmaps"); null for any.</param>
    /// <returns>The count.</returns>
    public long CountPersistedWrites(string? client = null, string? resource = null) =>
        _persisted.Where(p => (client is null || p.Key.Client == client) && (resource is null || p.Key.Resource == resource)).Sum(p => p.Value);

    /// <summary>Sets every count back to zero.</summary>
    public void Reset()
    {
        _counts.Clear();
        _persisted.Clear();
    }

    internal static bool IsWrite(string verb) => WriteVerbs.Contains(verb);

    internal void Record(string client, string verb, string resource, bool dryRun = false) =>
        _counts.AddOrUpdate((client, verb, resource, dryRun), 1, static (_, n) => n + 1);

    internal void RecordPersisted(string client, string verb, string resource) =>
        _persisted.AddOrUpdate((client, verb, resource), 1, static (_, n) => n + 1);
}
