using k8s;
using k8s.Models;

namespace RoostKeeper.Ha.TestUtilities;

/// <summary>Builders and condition waits for tests that run Deployments on the simulated controllers.</summary>
public static class ControllerTestKit
{
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";

    /// <summary>Generous: the machine is shared and noisy; tests wait for outcomes, never for durations.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static V1Deployment Deployment(string name, string image, int replicas, Action<V1DeploymentSpec>? configure = null)
    {
        var labels = new Dictionary<string, string> { ["app"] = name };
        var spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = labels },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string>(labels) },
                Spec = new V1PodSpec
                {
                    Containers = [new V1Container { Name = "roost", Image = image, Ports = [new V1ContainerPort { Name = "http", ContainerPort = 8080 }] }],
                },
            },
        };
        configure?.Invoke(spec);
        return new V1Deployment { Metadata = new V1ObjectMeta { Name = name }, Spec = spec };
    }

    public static bool IsReady(V1Pod pod) => pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    public static string Image(V1Pod pod) => pod.Spec.Containers[0].Image;

    public static V1DeploymentCondition? Condition(V1Deployment deployment, string type) =>
        deployment.Status?.Conditions?.FirstOrDefault(c => c.Type == type);

    /// <summary>Polls <paramref name="probe"/> until <paramref name="done"/> holds; fails with the last value seen.</summary>
    public static Task<T> WaitForAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null) =>
        Eventually.UntilAsync(probe, done, what, timeout ?? Patience, describe: last => KubernetesJson.Serialize(last));

    /// <summary>Waits as <c>kubectl rollout status</c> does: the latest generation fully updated and available.</summary>
    public static Task<V1Deployment> WaitForRolloutAsync(IKubernetes client, string ns, string name) =>
        WaitForAsync(
            () => client.AppsV1.ReadNamespacedDeploymentAsync(name, ns),
            d => d.Status?.ObservedGeneration >= d.Metadata.Generation
                && d.Status.UpdatedReplicas == d.Spec.Replicas
                && d.Status.Replicas == d.Spec.Replicas
                && d.Status.AvailableReplicas == d.Spec.Replicas
                && Condition(d, "Progressing")?.Reason == "NewReplicaSetAvailable",
            $"deployment {name} to finish rolling out");

    public static async Task<IList<V1ReplicaSet>> ReplicaSetsAsync(IKubernetes client, string ns, string app) =>
        (await client.AppsV1.ListNamespacedReplicaSetAsync(ns, labelSelector: $"app={app}")).Items;

    public static async Task<IList<V1Pod>> PodsAsync(IKubernetes client, string ns, string app) =>
        (await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"app={app}")).Items;

    /// <summary>
    /// Starts replaying the pods of <paramref name="app"/> from the list <paramref name="before"/>, change by change
    /// in resourceVersion order, handing the pods as they stand after each change to <paramref name="observe"/>,
    /// until it returns true. Lets a test check an invariant at every point of a rollout, not just at the end.
    /// </summary>
    public static Task ReplayPodsAsync(IKubernetes client, string ns, string app, V1PodList before, Func<IReadOnlyDictionary<string, V1Pod>, bool> observe, CancellationToken cancellationToken)
    {
        var pods = before.Items.ToDictionary(p => p.Metadata.Name);
        return Task.Run(
            async () =>
            {
                await foreach (var (type, pod) in client.CoreV1.WatchListNamespacedPodAsync(
                    ns, labelSelector: $"app={app}", resourceVersion: before.Metadata.ResourceVersion, cancellationToken: cancellationToken))
                {
                    if (type == WatchEventType.Deleted)
                    {
                        pods.Remove(pod.Metadata.Name);
                    }
                    else
                    {
                        pods[pod.Metadata.Name] = pod;
                    }

                    if (observe(pods))
                    {
                        return;
                    }
                }
            },
            cancellationToken);
    }

    public static Task SetImageAsync(IKubernetes client, string ns, string name, string image) =>
        client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch(new { spec = new { template = new { spec = new { containers = new[] { new { name = "roost", image } } } } } }, V1Patch.PatchType.StrategicMergePatch),
            name,
            ns);

    public static Task ScaleAsync(IKubernetes client, string ns, string name, int replicas) =>
        client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(new { spec = new { replicas } }, V1Patch.PatchType.MergePatch), name, ns);
}
