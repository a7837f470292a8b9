using System.Runtime.CompilerServices;
using k8s;
using k8s.Autorest;
using k8s.Models;
using RoostKeeper.Ha.KubernetesApi;

namespace RoostKeeper.Ha.Election;

/// <summary>Lease operations through KubernetesClient's typed coordination.k8s.io/v1 client.</summary>
internal sealed class KubernetesLeaseClient : ILeaseClient
{
    /// <summary>
    /// The server ends each watch after this long and the elector resumes from the last resourceVersion:
    /// shorter than HttpClient's default 100 s timeout, so a quiet watch never surfaces as an error.
    /// </summary>
    private const int DefaultWatchTimeoutSeconds = 60;

    private readonly IKubernetes _kubernetes;
    private readonly int _watchTimeoutSeconds;

    public KubernetesLeaseClient(IKubernetes kubernetes, string leaseNamespace, string leaseName, int watchTimeoutSeconds = DefaultWatchTimeoutSeconds)
    {
        _kubernetes = kubernetes;
        _watchTimeoutSeconds = watchTimeoutSeconds;
        Namespace = leaseNamespace;
        Name = leaseName;
    }

    public string Namespace { get; }

    public string Name { get; }

    public async Task<V1Lease?> GetAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _kubernetes.CoordinationV1.ReadNamespacedLeaseAsync(Name, Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (KubernetesApiErrors.Classify(e) == ApiErrorKind.NotFound)
        {
            return null;
        }
    }

    public async Task<V1Lease> CreateAsync(V1Lease lease, CancellationToken cancellationToken)
    {
        try
        {
            return await _kubernetes.CoordinationV1.CreateNamespacedLeaseAsync(lease, Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (KubernetesApiErrors.Classify(e) == ApiErrorKind.Conflict)
        {
            throw new LeaseConflictException($"Lease {Namespace}/{Name} was created by someone else.", e);
        }
    }

    public async Task<V1Lease> ReplaceAsync(V1Lease lease, CancellationToken cancellationToken)
    {
        try
        {
            return await _kubernetes.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, Name, Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (KubernetesApiErrors.Classify(e) is ApiErrorKind.Conflict or ApiErrorKind.NotFound)
        {
            throw new LeaseConflictException($"Lease {Namespace}/{Name} changed since resourceVersion {lease.Metadata?.ResourceVersion}.", e);
        }
    }

    public IAsyncEnumerable<(WatchEventType Type, V1Lease Lease)> WatchAsync(string? resourceVersion, CancellationToken cancellationToken) =>
        WatchLeasesAsync(_kubernetes, Namespace, $"Lease {Namespace}/{Name}", fieldSelector: $"metadata.name={Name}", labelSelector: null, resourceVersion, _watchTimeoutSeconds, cancellationToken);

    /// <summary>
    /// Watches the Leases of <paramref name="leaseNamespace"/> matching the selectors from <paramref name="resourceVersion"/>
    /// until the server ends the watch; throws <see cref="LeaseWatchExpiredException"/> on 410 Gone. Shared by the
    /// election's one-Lease watch and sharding's watch of a table's Leases, so both read a watch's end the same way.
    /// </summary>
    internal static async IAsyncEnumerable<(WatchEventType Type, V1Lease Lease)> WatchLeasesAsync(
        IKubernetes kubernetes,
        string leaseNamespace,
        string what,
        string? fieldSelector,
        string? labelSelector,
        string? resourceVersion,
        int watchTimeoutSeconds,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Exception? error = null;
        var stream = kubernetes.CoordinationV1.WatchListNamespacedLeaseAsync(
            leaseNamespace,
            allowWatchBookmarks: true,
            fieldSelector: fieldSelector,
            labelSelector: labelSelector,
            resourceVersion: resourceVersion,
            timeoutSeconds: watchTimeoutSeconds,
            onError: e => error ??= e,
            cancellationToken: cancellationToken);
        var events = stream.GetAsyncEnumerator(cancellationToken);
        await using (events.ConfigureAwait(false))
        {
            while (true)
            {
                try
                {
                    if (!await events.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (Exception e) when (e is EndOfStreamException || e.InnerException is EndOfStreamException)
                {
                    // KubernetesClient throws (an HttpRequestException around EndOfStreamException) when the
                    // server ends a watch (timeoutSeconds) before its first event. That is the normal end of a
                    // quiet watch, resumed from the same version; a dropped connection is an IOException instead.
                    break;
                }

                yield return events.Current;
            }
        }

        // KubernetesClient hands ERROR events (a Status) to onError rather than to the stream.
        if (error is not null && KubernetesApiErrors.Classify(error) == ApiErrorKind.Expired)
        {
            throw new LeaseWatchExpiredException($"The watch on {what} from resourceVersion {resourceVersion} expired: {error.Message}", error);
        }

        if (error is not null)
        {
            throw new InvalidOperationException($"The watch on {what} failed: {error.Message}", error);
        }
    }
}
