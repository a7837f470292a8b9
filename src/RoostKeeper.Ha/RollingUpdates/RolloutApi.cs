using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using RoostKeeper.Ha.KubernetesApi;

namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>
/// The Kubernetes calls an update makes, each retried on transient failures (as <see cref="KubernetesApiErrors"/> classifies
/// them) until the caller's deadline; anything else is thrown for the update to report.
/// </summary>
internal sealed class RolloutApi(IKubernetes kubernetes, TimeProvider time, ILogger logger, string updateId, TimeSpan retryInterval)
{
    public IKubernetes Kubernetes => kubernetes;

    public async Task<T> CallAsync<T>(string operation, Func<CancellationToken, Task<T>> call, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await call(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && KubernetesApiErrors.IsTransient(e) && time.GetUtcNow() < deadline)
            {
                RollingUpdateLog.ApiRetry(logger, updateId, operation, KubernetesApiErrors.Describe(e));
                await Task.Delay(retryInterval, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The Deployment, or null when it does not exist.</summary>
    public async Task<V1Deployment?> ReadDeploymentAsync(string ns, string name, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        try
        {
            return await CallAsync("read deployment", ct => kubernetes.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: ct), deadline, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (KubernetesApiErrors.Classify(e) == ApiErrorKind.NotFound && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>The ReplicaSets the Deployment controls (selected by its selector, then by controller reference).</summary>
    public async Task<IReadOnlyList<V1ReplicaSet>> ReplicaSetsAsync(V1Deployment deployment, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var selector = LabelSelectors.ToQuery(deployment.Spec.Selector);
        var list = await CallAsync("list replica sets", ct => kubernetes.AppsV1.ListNamespacedReplicaSetAsync(deployment.Metadata.NamespaceProperty, labelSelector: selector, cancellationToken: ct), deadline, cancellationToken).ConfigureAwait(false);
        return list.Items.Where(rs => IsControlledBy(rs.Metadata, deployment.Metadata.Uid)).ToList();
    }

    /// <summary>The pods of a ReplicaSet (selected by its selector, then by controller reference).</summary>
    public async Task<IReadOnlyList<V1Pod>> PodsAsync(V1ReplicaSet replicaSet, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var selector = LabelSelectors.ToQuery(replicaSet.Spec.Selector);
        var list = await CallAsync("list pods", ct => kubernetes.CoreV1.ListNamespacedPodAsync(replicaSet.Metadata.NamespaceProperty, labelSelector: selector, cancellationToken: ct), deadline, cancellationToken).ConfigureAwait(false);
        return list.Items.Where(p => IsControlledBy(p.Metadata, replicaSet.Metadata.Uid)).ToList();
    }

    private static bool IsControlledBy(V1ObjectMeta metadata, string ownerUid) =>
        metadata.OwnerReferences?.Any(o => o.Controller == true && o.Uid == ownerUid) == true;
}
