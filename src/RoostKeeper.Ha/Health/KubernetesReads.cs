using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using RoostKeeper.Ha.KubernetesApi;

namespace RoostKeeper.Ha.Health;

/// <summary>
/// The API reads of one health round, shared between the checks of that round: the first check that
/// asks for the pods of a namespace and selector starts the one LIST, the others await the same task.
/// A shared read runs under the round's token, not the asking check's, so one check timing out does not
/// fail the read for the others; each caller still stops waiting on its own token.
/// </summary>
internal sealed class KubernetesReads
{
    private readonly IKubernetes _client;
    private readonly CancellationToken _round;
    private readonly ConcurrentDictionary<string, Lazy<Task>> _reads = new(StringComparer.Ordinal);

    public KubernetesReads(IKubernetes client, CancellationToken round)
    {
        _client = client;
        _round = round;
    }

    /// <summary>The reads to use for <paramref name="client"/>: the current round's when one is running, else unshared ones.</summary>
    public static KubernetesReads For(IKubernetes client) =>
        HealthRound.Current?.ReadsFor(client) ?? new KubernetesReads(client, CancellationToken.None);

    /// <summary>How many reads this round has started (for tests and the benchmark).</summary>
    public int Count => _reads.Count;

    public Task<VersionInfo> GetVersionAsync(CancellationToken cancellationToken) =>
        Share("version", t => _client.Version.GetCodeAsync(t), cancellationToken);

    public Task<V1PodList> ListPodsAsync(string ns, string selector, CancellationToken cancellationToken) =>
        Share($"pods/{ns}?{selector}", t => _client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: selector, cancellationToken: t), cancellationToken);

    public Task<V1Deployment?> ReadDeploymentAsync(string ns, string name, CancellationToken cancellationToken) =>
        Share($"deployments/{ns}/{name}", t => OrNull(_client.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: t)), cancellationToken);

    public Task<V1Service?> ReadServiceAsync(string ns, string name, CancellationToken cancellationToken) =>
        Share($"services/{ns}/{name}", t => OrNull(_client.CoreV1.ReadNamespacedServiceAsync(name, ns, cancellationToken: t)), cancellationToken);

    public Task<V1EndpointSliceList> ListEndpointSlicesAsync(string ns, string service, CancellationToken cancellationToken) =>
        Share($"endpointslices/{ns}?{service}", t => _client.DiscoveryV1.ListNamespacedEndpointSliceAsync(ns, labelSelector: $"{ServiceNameLabel}={service}", cancellationToken: t), cancellationToken);

    public Task<V1Lease?> ReadLeaseAsync(string ns, string name, CancellationToken cancellationToken) =>
        Share($"leases/{ns}/{name}", t => OrNull(_client.CoordinationV1.ReadNamespacedLeaseAsync(name, ns, cancellationToken: t)), cancellationToken);

    public Task<V1ValidatingWebhookConfiguration?> ReadValidatingWebhookConfigurationAsync(string name, CancellationToken cancellationToken) =>
        Share($"validatingwebhookconfigurations/{name}", t => OrNull(_client.AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync(name, cancellationToken: t)), cancellationToken);

    public Task<V1MutatingWebhookConfiguration?> ReadMutatingWebhookConfigurationAsync(string name, CancellationToken cancellationToken) =>
        Share($"mutatingwebhookconfigurations/{name}", t => OrNull(_client.AdmissionregistrationV1.ReadMutatingWebhookConfigurationAsync(name, cancellationToken: t)), cancellationToken);

    /// <summary>The label the EndpointSlice controller puts on every slice of a Service.</summary>
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    private Task<T> Share<T>(string key, Func<CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        var shared = (Task<T>)_reads.GetOrAdd(key, _ => new Lazy<Task>(() => read(_round))).Value;
        return shared.WaitAsync(cancellationToken);
    }

    /// <summary>A read whose object may be absent: 404 for the object is an answer (null), not an error.</summary>
    private static async Task<T?> OrNull<T>(Task<T> read)
        where T : class
    {
        try
        {
            return await read.ConfigureAwait(false);
        }
        catch (Exception e) when (KubernetesApiErrors.Classify(e) == ApiErrorKind.NotFound)
        {
            return null;
        }
    }
}
