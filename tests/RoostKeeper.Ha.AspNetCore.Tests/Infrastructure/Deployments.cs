using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using RoostKeeper.Ha.RollingUpdates;

namespace RoostKeeper.Ha.AspNetCore.Tests.Infrastructure;

/// <summary>A Deployment on the simulated cluster's Deployment controller, and a rolling update of it through a replica's RollingUpdateManager.</summary>
internal static class Deployments
{
    public const string Name = "roost-keeper-controller-manager";

    public static async Task CreateAsync(IKubernetes admin, string image = "roost-keeper:v1")
    {
        var labels = new Dictionary<string, string> { ["app"] = Name };
        await admin.AppsV1.CreateNamespacedDeploymentAsync(
            new V1Deployment
            {
                Metadata = new V1ObjectMeta { Name = Name },
                Spec = new V1DeploymentSpec
                {
                    Replicas = 2,
                    Selector = new V1LabelSelector { MatchLabels = labels },
                    Template = new V1PodTemplateSpec
                    {
                        Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string>(labels) },
                        Spec = new V1PodSpec { Containers = [new V1Container { Name = "manager", Image = image }] },
                    },
                },
            },
            Cluster.Namespace);
        await Cluster.Until(
            async () => (await admin.AppsV1.ReadNamespacedDeploymentAsync(Name, Cluster.Namespace)).Status?.AvailableReplicas == 2,
            "the Deployment to be available");
    }

    /// <summary>Runs an update on <paramref name="leader"/>'s manager to its end.</summary>
    public static Task<RollingUpdateStatus> UpdateAsync(ReplicaServer leader, string image) =>
        leader.Services.GetRequiredService<RollingUpdateManager>().PerformRollingUpdateAsync(
            Cluster.Namespace,
            Name,
            image,
            new RollingUpdateOptions { PollInterval = TimeSpan.FromMilliseconds(100), Timeout = TimeSpan.FromSeconds(90), ReadinessTimeout = TimeSpan.FromSeconds(60), RollbackTimeout = TimeSpan.FromSeconds(60) });
}
