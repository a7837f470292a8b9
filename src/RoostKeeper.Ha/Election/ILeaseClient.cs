using k8s;
using k8s.Models;

namespace RoostKeeper.Ha.Election;

/// <summary>
/// The four Lease operations the elector needs. The seam lets the algorithm be tested on a fake clock
/// with an in-memory Lease; production uses <see cref="KubernetesLeaseClient"/>.
/// </summary>
internal interface ILeaseClient
{
    string Namespace { get; }

    string Name { get; }

    /// <summary>Reads the Lease; null when it does not exist.</summary>
    Task<V1Lease?> GetAsync(CancellationToken cancellationToken);

    /// <summary>Creates the Lease. Throws <see cref="LeaseConflictException"/> when it already exists.</summary>
    Task<V1Lease> CreateAsync(V1Lease lease, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the Lease, conditional on the resourceVersion it carries. Throws
    /// <see cref="LeaseConflictException"/> when that version is stale or the Lease is gone.
    /// </summary>
    Task<V1Lease> ReplaceAsync(V1Lease lease, CancellationToken cancellationToken);

    /// <summary>
    /// Watches the Lease from <paramref name="resourceVersion"/> (null: from its current state). Ends when
    /// the server closes the stream; throws <see cref="LeaseWatchExpiredException"/> on 410 Gone.
    /// </summary>
    IAsyncEnumerable<(WatchEventType Type, V1Lease Lease)> WatchAsync(string? resourceVersion, CancellationToken cancellationToken);
}
