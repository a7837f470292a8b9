using k8s;
using k8s.Models;
using RoostKeeper.Ha.Testing;
using static RoostKeeper.Ha.TestUtilities.ControllerTestKit;

namespace RoostKeeper.Ha.Testing.Tests.Controllers;

public sealed class ReplicaSetControllerTests
{
    private static V1ReplicaSet ReplicaSet(string name, string image, int replicas)
    {
        var labels = new Dictionary<string, string> { ["app"] = name };
        return new V1ReplicaSet
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1ReplicaSetSpec
            {
                Replicas = replicas,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string>(labels) { ["tier"] = "nest" } },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "roost", Image = image }] },
                },
            },
        };
    }

    [SimulatedOnlyFact("simulated ReplicaSet controller")]
    public async Task Replica_set_scales_its_pods_up_and_down_and_reports_them_in_status()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var rs = await client.AppsV1.CreateNamespacedReplicaSetAsync(ReplicaSet("nest", "roost:v1", 3), ns);

        var status = await WaitForAsync(
            () => client.AppsV1.ReadNamespacedReplicaSetAsync("nest", ns),
            r => r.Status?.ReadyReplicas == 3 && r.Status.AvailableReplicas == 3,
            "three ready pods");
        Assert.Equal((3, 3, 1L), (status.Status.Replicas, status.Status.FullyLabeledReplicas ?? 0, status.Status.ObservedGeneration ?? 0));
        var pods = await PodsAsync(client, ns, "nest");
        Assert.Equal(3, pods.Count);
        Assert.All(pods, p =>
        {
            Assert.Matches("^nest-[a-z0-9]{5}$", p.Metadata.Name);
            Assert.Equal("nest", p.Metadata.Labels["tier"]);
            var owner = Assert.Single(p.Metadata.OwnerReferences);
            Assert.Equal((rs.Metadata.Uid, "ReplicaSet", true), (owner.Uid, owner.Kind, owner.Controller == true));
        });

        await client.AppsV1.PatchNamespacedReplicaSetScaleAsync(new V1Patch(new { spec = new { replicas = 1 } }, V1Patch.PatchType.MergePatch), "nest", ns);
        await WaitForAsync(() => PodsAsync(client, ns, "nest"), p => p.Count == 1, "scale down to one pod");
        await client.AppsV1.PatchNamespacedReplicaSetAsync(new V1Patch(new { spec = new { replicas = 4 } }, V1Patch.PatchType.MergePatch), "nest", ns);
        var scaled = await WaitForAsync(
            () => client.AppsV1.ReadNamespacedReplicaSetAsync("nest", ns),
            r => r.Status?.ReadyReplicas == 4 && r.Status.ObservedGeneration == r.Metadata.Generation,
            "scale up to four ready pods");
        Assert.Equal(4, scaled.Status.Replicas);
    }

    [SimulatedOnlyFact("simulated ReplicaSet controller")]
    public async Task Replica_set_replaces_a_deleted_pod()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await client.AppsV1.CreateNamespacedReplicaSetAsync(ReplicaSet("nest", "roost:v1", 2), ns);
        var pods = await WaitForAsync(() => PodsAsync(client, ns, "nest"), p => p.Count == 2 && p.All(IsReady), "two ready pods");

        await client.CoreV1.DeleteNamespacedPodAsync(pods[0].Metadata.Name, ns);

        var replaced = await WaitForAsync(
            () => PodsAsync(client, ns, "nest"),
            p => p.Count == 2 && p.All(IsReady) && p.All(x => x.Metadata.Name != pods[0].Metadata.Name),
            "a replacement pod");
        Assert.Contains(replaced, p => p.Metadata.Name == pods[1].Metadata.Name);
    }

    [SimulatedOnlyFact("simulated ReplicaSet controller")]
    public async Task Scale_down_removes_unready_pods_before_ready_ones()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await client.AppsV1.CreateNamespacedReplicaSetAsync(ReplicaSet("nest", "roost:v1", 2), ns);
        await WaitForAsync(() => PodsAsync(client, ns, "nest"), p => p.Count == 2 && p.All(IsReady), "two ready pods");

        // A third pod from an image that never becomes ready: it is the one to go.
        cluster.Simulation.Images.Set("roost:deaf", ImageHealth.NeverReady);
        await client.AppsV1.PatchNamespacedReplicaSetAsync(
            new V1Patch(new { spec = new { replicas = 3, template = new { spec = new { containers = new[] { new { name = "roost", image = "roost:deaf" } } } } } }, V1Patch.PatchType.StrategicMergePatch),
            "nest",
            ns);
        await WaitForAsync(
            () => PodsAsync(client, ns, "nest"),
            p => p.Count == 3 && p.Count(x => Image(x) == "roost:deaf" && x.Status.Phase == "Running") == 1,
            "the unready pod to run");
        await client.AppsV1.PatchNamespacedReplicaSetAsync(new V1Patch(new { spec = new { replicas = 2 } }, V1Patch.PatchType.MergePatch), "nest", ns);

        var remaining = await WaitForAsync(() => PodsAsync(client, ns, "nest"), p => p.Count == 2, "scale down to two pods");
        Assert.All(remaining, p => Assert.True(IsReady(p)));
    }

    [Fact]
    public async Task Replica_set_whose_selector_misses_its_template_is_refused_as_a_real_server_refuses_it()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var lost = ReplicaSet("lost", "roost:v1", 2);
        lost.Spec.Selector.MatchLabels["app"] = "elsewhere";

        var refused = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => client.AppsV1.CreateNamespacedReplicaSetAsync(lost, ns));
        Assert.Equal(System.Net.HttpStatusCode.UnprocessableEntity, refused.Response.StatusCode);
        Assert.Equal("ReplicaSet.apps \"lost\" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"lost\", \"tier\":\"nest\"}: `selector` does not match template `labels`", KubernetesJson.Deserialize<V1Status>(refused.Response.Content).Message);
        Assert.Empty((await client.CoreV1.ListNamespacedPodAsync(ns)).Items);
    }
}
