using k8s;
using k8s.Models;

namespace RoostKeeper.Ha.Sharding;

/// <summary>
/// The Lease operations sharding needs in one namespace: list+watch of a table's Leases by label (the table and every
/// membership Lease carry it), and conditional writes of single Leases. The seam lets the protocol be tested on a fake
/// clock with in-memory Leases; production uses <see cref="KubernetesShardLeases"/>.
/// </summary>
internal interface IShardLeases
{
    string Namespace { get; }

    /// <summary>Lists the Leases matching <paramref name="labelSelector"/>, with the list's resourceVersion.</summary>
    Task<(IReadOnlyList<V1Lease> Items, string? ResourceVersion)> ListAsync(string labelSelector, CancellationToken cancellationToken);

    /// <summary>Watches the Leases matching <paramref name="labelSelector"/> from <paramref name="resourceVersion"/>; throws <see cref="Election.LeaseWatchExpiredException"/> on 410 Gone.</summary>
    IAsyncEnumerable<(WatchEventType Type, V1Lease Lease)> WatchAsync(string labelSelector, string? resourceVersion, CancellationToken cancellationToken);

    /// <summary>Reads a Lease (a quorum read); null when it does not exist.</summary>
    Task<V1Lease?> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>Creates a Lease; throws <see cref="Election.LeaseConflictException"/> when it exists.</summary>
    Task<V1Lease> CreateAsync(V1Lease lease, CancellationToken cancellationToken);

    /// <summary>Replaces a Lease conditional on its resourceVersion; throws <see cref="Election.LeaseConflictException"/> when stale or gone.</summary>
    Task<V1Lease> ReplaceAsync(V1Lease lease, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a Lease, conditional on <paramref name="resourceVersion"/> when given (throws
    /// <see cref="Election.LeaseConflictException"/> when it changed); a Lease already gone is not an error.
    /// </summary>
    Task DeleteAsync(string name, string? resourceVersion, CancellationToken cancellationToken);
}
