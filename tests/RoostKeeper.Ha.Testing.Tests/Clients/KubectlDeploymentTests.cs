using System.Text.Json.Nodes;
using k8s;
using Xunit.Abstractions;

namespace RoostKeeper.Ha.Testing.Tests.Clients;

/// <summary>
/// The everyday kubectl verbs on a Deployment, with the real kubectl binary against SimulatedCluster: apply
/// with default validation, rollout status and wait on a finished rollout (which used to hang), get in every
/// output, describe, label, annotate, the three patch types, scale, set image and the rollout verbs.
/// </summary>
public sealed class KubectlDeploymentTests : IClassFixture<KubectlCluster>
{
    private readonly KubectlCluster _fixture;
    private readonly Kubectl _kubectl;

    public KubectlDeploymentTests(KubectlCluster fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _kubectl = new Kubectl(fixture, output);
    }

    [Fact]
    public async Task Apply_then_rollout_status_and_wait_return_once_the_rollout_is_done()
    {
        var ns = await _fixture.NewNamespaceAsync("kubectl-rollout");
        Assert.Contains("deployment.apps/web created", await _kubectl.RunAsync("apply", "-f", _fixture.WriteFile("d.yaml", Manifests.Deployment(ns, "web"))));

        Assert.Contains("successfully rolled out", await _kubectl.RunAsync("rollout", "status", "deployment/web", "-n", ns, "--timeout=60s"));

        // On a finished rollout the watch behind these must still answer at once (headers flushed before any event).
        Assert.Contains("successfully rolled out", await _kubectl.RunAsync("rollout", "status", "deployment/web", "-n", ns, "--timeout=60s"));
        Assert.Contains("condition met", await _kubectl.RunAsync("wait", "--for=condition=Available", "deployment/web", "-n", ns, "--timeout=60s"));
        Assert.Empty(_fixture.Cluster.Errors);
    }

    [Fact]
    public async Task Get_prints_json_yaml_wide_columns_and_describe_reads_the_deployment()
    {
        var ns = await _fixture.NewNamespaceAsync("kubectl-get");
        await _kubectl.RunAsync("apply", "-f", _fixture.WriteFile("d.yaml", Manifests.Deployment(ns, "web")));
        await _kubectl.RunAsync("rollout", "status", "deployment/web", "-n", ns, "--timeout=60s");

        var json = JsonNode.Parse(await _kubectl.RunAsync("get", "deployment", "web", "-n", ns, "-o", "json"))!;
        Assert.Equal(2, json["status"]!["availableReplicas"]!.GetValue<int>());
        Assert.Contains("kind: Deployment", await _kubectl.RunAsync("get", "deployment", "web", "-n", ns, "-o", "yaml"));

        var wide = await _kubectl.RunAsync("get", "deployment", "web", "-n", ns, "-o", "wide");
        AssertColumns(wide, "NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR");
        Assert.Contains("2/2", wide);
        Assert.Contains("nginx:1.27", wide);

        var pods = await _kubectl.RunAsync("get", "pods", "-n", ns);
        AssertColumns(pods, "NAME", "READY", "STATUS", "RESTARTS", "AGE");
        Assert.Contains("Running", pods);

        var described = await _kubectl.RunAsync("describe", "deployment", "web", "-n", ns);
        Assert.Contains("Replicas:", described);
        Assert.Contains("nginx:1.27", described);
    }

    [Fact]
    public async Task Label_annotate_and_merge_json_and_strategic_patches_change_the_object()
    {
        var ns = await _fixture.NewNamespaceAsync("kubectl-patch");
        await _kubectl.RunAsync("apply", "-f", _fixture.WriteFile("d.yaml", Manifests.Deployment(ns, "web")));

        await _kubectl.RunAsync("label", "deployment", "web", "-n", ns, "tier=front");
        await _kubectl.RunAsync("annotate", "deployment", "web", "-n", ns, "owner=team-a");
        await _kubectl.RunAsync("patch", "deployment", "web", "-n", ns, "--type=merge", "-p", """{"metadata":{"labels":{"merge":"yes"}}}""");
        await _kubectl.RunAsync("patch", "deployment", "web", "-n", ns, "--type=json", "-p", """[{"op":"add","path":"/metadata/labels/json","value":"yes"}]""");

        // Strategic: the container list is merged by name, so only the env of "web" changes.
        await _kubectl.RunAsync("patch", "deployment", "web", "-n", ns, "-p", """{"spec":{"template":{"spec":{"containers":[{"name":"web","env":[{"name":"MODE","value":"green"}]}]}}}}""");

        var deployment = await _fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        Assert.Equal("front", deployment.Metadata.Labels["tier"]);
        Assert.Equal("yes", deployment.Metadata.Labels["merge"]);
        Assert.Equal("yes", deployment.Metadata.Labels["json"]);
        Assert.Equal("team-a", deployment.Metadata.Annotations["owner"]);
        var container = Assert.Single(deployment.Spec.Template.Spec.Containers);
        Assert.Equal("nginx:1.27", container.Image);
        Assert.Equal("green", Assert.Single(container.Env).Value);
    }

    [Fact]
    public async Task Scale_set_image_and_the_rollout_verbs_drive_the_simulated_controller()
    {
        var ns = await _fixture.NewNamespaceAsync("kubectl-roll");
        await _kubectl.RunAsync("apply", "-f", _fixture.WriteFile("d.yaml", Manifests.Deployment(ns, "web")));
        await _kubectl.RunAsync("rollout", "status", "deployment/web", "-n", ns, "--timeout=60s");

        await _kubectl.RunAsync("scale", "deployment/web", "-n", ns, "--replicas=3");
        await _kubectl.RunAsync("set", "image", "deployment/web", "-n", ns, "web=nginx:1.28");
        await _kubectl.RunAsync("rollout", "status", "deployment/web", "-n", ns, "--timeout=60s");
        var history = await _kubectl.RunAsync("rollout", "history", "deployment/web", "-n", ns);
        Assert.Contains("REVISION", history);
        Assert.Contains("2", history);

        await _kubectl.RunAsync("rollout", "undo", "deployment/web", "-n", ns);
        await _kubectl.RunAsync("rollout", "status", "deployment/web", "-n", ns, "--timeout=60s");
        var deployment = await _fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        Assert.Equal("nginx:1.27", deployment.Spec.Template.Spec.Containers[0].Image);
        Assert.Equal(3, deployment.Spec.Replicas);

        await _kubectl.RunAsync("rollout", "restart", "deployment/web", "-n", ns);
        deployment = await _fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        Assert.True(deployment.Spec.Template.Metadata.Annotations.ContainsKey("kubectl.kubernetes.io/restartedAt"));

        await _kubectl.RunAsync("rollout", "pause", "deployment/web", "-n", ns);
        Assert.True((await _fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns)).Spec.Paused);
        await _kubectl.RunAsync("rollout", "resume", "deployment/web", "-n", ns);
        Assert.NotEqual(true, (await _fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns)).Spec.Paused);
        Assert.Contains("successfully rolled out", await _kubectl.RunAsync("rollout", "status", "deployment/web", "-n", ns, "--timeout=60s"));
    }

    [Fact]
    public async Task Delete_with_wait_returns_once_the_deployment_and_its_pods_are_gone()
    {
        var ns = await _fixture.NewNamespaceAsync("kubectl-delete");
        await _kubectl.RunAsync("apply", "-f", _fixture.WriteFile("d.yaml", Manifests.Deployment(ns, "web")));
        await _kubectl.RunAsync("rollout", "status", "deployment/web", "-n", ns, "--timeout=60s");

        await _kubectl.RunAsync("delete", "deployment", "web", "-n", ns, "--wait", "--timeout=60s");

        Assert.Empty((await _fixture.Client.AppsV1.ListNamespacedDeploymentAsync(ns)).Items);
        Assert.Empty((await _fixture.Client.AppsV1.ListNamespacedReplicaSetAsync(ns)).Items);
        var missing = await _kubectl.TryRunAsync("get", "deployment", "web", "-n", ns);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("NotFound", missing.Stderr);
    }

    /// <summary>The header line of kubectl's table lists <paramref name="columns"/> in order.</summary>
    internal static void AssertColumns(string table, params string[] columns)
    {
        var header = table.Split('\n')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(columns, header);
    }
}
