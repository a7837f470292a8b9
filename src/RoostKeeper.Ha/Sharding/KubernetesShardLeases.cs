using k8s;
using k8s.Autorest;
using k8s.Models;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.KubernetesApi;

namespace RoostKeeper.Ha.Sharding;

/// <summary>Sharding's Lease operations through KubernetesClient's typed coordination.k8s.io/v1 client.</summary>
internal sealed class KubernetesShardLeases(IKubernetes kubernetes, string leaseNamespace, int watchTimeoutSeconds = 60) : IShardLeases
{
    public string Namespace { get; } = leaseNamespace;

    public async Task<(IReadOnlyList<V1Lease> Items, string? ResourceVersion)> ListAsync(string labelSelector, CancellationToken cancellationToken)
    {
        var list = await kubernetes.CoordinationV1.ListNamespacedLeaseAsync(Namespace, labelSelector: labelSelector, cancellationToken: cancellationToken).ConfigureAwait(false);
        return ((IReadOnlyList<V1Lease>?)list.Items ?? [], list.Metadata?.ResourceVersion);
    }

    public IAsyncEnumerable<(WatchEventType Type, V1Lease Lease)> WatchAsync(string labelSelector, string? resourceVersion, CancellationToken cancellationToken) =>
        KubernetesLeaseClient.WatchLeasesAsync(kubernetes, Namespace, $"Leases {Namespace} ({labelSelector})", fieldSelector: null, labelSelector, resourceVersion, watchTimeoutSeconds, cancellationToken);

    // Reads and writes of one Lease translate the API's 404 and 409 as the election's do: one place for that.
    public Task<V1Lease?> GetAsync(string name, CancellationToken cancellationToken) => One(name).GetAsync(cancellationToken);

    public Task<V1Lease> CreateAsync(V1Lease lease, CancellationToken cancellationToken) => One(lease.Metadata.Name).CreateAsync(lease, cancellationToken);

    public Task<V1Lease> ReplaceAsync(V1Lease lease, CancellationToken cancellationToken) => One(lease.Metadata.Name).ReplaceAsync(lease, cancellationToken);

    public async Task DeleteAsync(string name, string? resourceVersion, CancellationToken cancellationToken)
    {
        var options = resourceVersion is null ? null : new V1DeleteOptions { Preconditions = new V1Preconditions { ResourceVersion = resourceVersion } };
        try
        {
            await kubernetes.CoordinationV1.DeleteNamespacedLeaseAsync(name, Namespace, options, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (KubernetesApiErrors.Classify(e) == ApiErrorKind.NotFound)
        {
        }
        catch (HttpOperationException e) when (KubernetesApiErrors.Classify(e) == ApiErrorKind.Conflict)
        {
            throw new LeaseConflictException($"Lease {Namespace}/{name} changed since resourceVersion {resourceVersion}.", e);
        }
    }

    private KubernetesLeaseClient One(string name) => new(kubernetes, Namespace, name, watchTimeoutSeconds);
}
