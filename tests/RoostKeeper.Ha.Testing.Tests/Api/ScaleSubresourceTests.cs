using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using RoostKeeper.Ha.Testing.Tests.Clients;
using Xunit.Abstractions;
using static RoostKeeper.Ha.Testing.Tests.Conformance.Conformance;

namespace RoostKeeper.Ha.Testing.Tests.Api;

/// <summary>
/// The <c>scale</c> subresource: served for the built-in workloads and for a CRD that declares it (its
/// specReplicasPath, statusReplicasPath and labelSelectorPath), driven by <c>kubectl scale</c>,
/// <c>kubectl get --subresource=scale</c> and KubernetesClient's Scale GET, PUT and PATCH; 404 where a CRD
/// does not declare it.
/// </summary>
public sealed class ScaleSubresourceTests : IClassFixture<KubectlCluster>
{
    private const string RoostDefinition = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: roosts.scale.example.com
        spec:
          group: scale.example.com
          scope: Namespaced
          names: {plural: roosts, singular: roost, kind: Roost}
          versions:
          - name: v1
            served: true
            storage: true
            subresources:
              status: {}
              scale:
                specReplicasPath: .spec.size
                statusReplicasPath: .status.ready
                labelSelectorPath: .status.selector
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec: {type: object, properties: {size: {type: integer}}}
                  status: {type: object, properties: {ready: {type: integer}, selector: {type: string}}}
        """;

    private readonly KubectlCluster _fixture;
    private readonly Kubectl _kubectl;

    public ScaleSubresourceTests(KubectlCluster fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _kubectl = new Kubectl(fixture, output);
    }

    [Fact]
    public async Task Kubectl_scales_a_custom_resource_through_the_paths_its_definition_declares()
    {
        var ns = await _fixture.NewNamespaceAsync("scale-cr");
        await CreateRoostAsync(ns, "r1", size: 1, ready: 1);

        await _kubectl.RunAsync("scale", "roost", "r1", "-n", ns, "--replicas=4");

        var roost = await _fixture.Client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>("scale.example.com", "v1", ns, "roosts", "r1");
        Assert.Equal(4, roost["spec"]!["size"]!.GetValue<int>());
        var scale = JsonNode.Parse(await _kubectl.RunAsync("get", "roost", "r1", "-n", ns, "--subresource=scale", "-o", "json"))!;
        Assert.Equal(("autoscaling/v1", "Scale", "r1"), (scale["apiVersion"]!.GetValue<string>(), scale["kind"]!.GetValue<string>(), scale["metadata"]!["name"]!.GetValue<string>()));
        Assert.Equal((4, 1, "app=roost"), (scale["spec"]!["replicas"]!.GetValue<int>(), scale["status"]!["replicas"]!.GetValue<int>(), scale["status"]!["selector"]!.GetValue<string>()));

        var table = await _kubectl.RunAsync("get", "roost", "r1", "-n", ns, "--subresource=scale");
        Assert.Equal(["NAME DESIRED AVAILABLE", "r1 4 1"], Rows(table));
    }

    [Fact]
    public async Task Kubectl_scale_of_a_custom_resource_without_the_subresource_is_not_found()
    {
        var ns = await _fixture.NewNamespaceAsync("scale-none");
        await _kubectl.RunAsync("apply", "-f", _fixture.WriteFile("crd.yaml", Manifests.CrontabDefinition));
        await _kubectl.RunAsync("apply", "-f", _fixture.WriteFile("ct.yaml", Manifests.Crontab(ns, "nightly")));

        var refused = await _kubectl.TryRunAsync("scale", "crontab", "nightly", "-n", ns, "--replicas=5");

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("Error from server (NotFound): crontabs.stable.example.com \"nightly\" not found", refused.Stderr, StringComparison.Ordinal);
        var status = await ThrowsStatusAsync(HttpStatusCode.NotFound, "NotFound",
            () => _fixture.Client.CustomObjects.GetNamespacedCustomObjectScaleAsync<JsonObject>("stable.example.com", "v1", ns, "crontabs", "nightly"));
        Assert.Equal("crontabs.stable.example.com \"nightly\" not found", status.Message);
        Assert.Equal(3, (await _fixture.Client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>("stable.example.com", "v1", ns, "crontabs", "nightly"))["spec"]!["replicas"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_deployment_scale_reads_replaces_and_patches_through_KubernetesClient()
    {
        var ns = await _fixture.NewNamespaceAsync("scale-deploy");
        await _kubectl.RunAsync("create", "deployment", "web", "-n", ns, "--image=nginx:1.27", "--replicas=0");

        var scale = await _fixture.Client.AppsV1.ReadNamespacedDeploymentScaleAsync("web", ns);
        Assert.Equal((0, "app=web"), (scale.Spec.Replicas, scale.Status.Selector));

        scale.Spec.Replicas = 2;
        var replaced = await _fixture.Client.AppsV1.ReplaceNamespacedDeploymentScaleAsync(scale, "web", ns);
        Assert.Equal(2, replaced.Spec.Replicas);

        // The Scale's resourceVersion is a precondition: a stale one is a conflict, as for the object itself.
        scale.Spec.Replicas = 7;
        await ThrowsStatusAsync(HttpStatusCode.Conflict, "Conflict", () => _fixture.Client.AppsV1.ReplaceNamespacedDeploymentScaleAsync(scale, "web", ns));

        var patched = await _fixture.Client.AppsV1.PatchNamespacedDeploymentScaleAsync(
            new V1Patch("""[{"op":"replace","path":"/spec/replicas","value":3}]""", V1Patch.PatchType.JsonPatch), "web", ns);
        Assert.Equal(3, patched.Spec.Replicas);
        Assert.Equal(3, (await _fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns)).Spec.Replicas);

        var invalid = await ThrowsStatusAsync(HttpStatusCode.UnprocessableEntity, "Invalid", () => _fixture.Client.AppsV1.PatchNamespacedDeploymentScaleAsync(
            new V1Patch("""{"spec":{"replicas":-1}}""", V1Patch.PatchType.MergePatch), "web", ns));
        Assert.Equal("Scale.autoscaling \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0", invalid.Message);
    }

    [Fact]
    public async Task A_custom_resource_scale_is_replaced_through_KubernetesClient_and_listed_in_discovery()
    {
        var ns = await _fixture.NewNamespaceAsync("scale-put");
        await CreateRoostAsync(ns, "r2", size: 2, ready: 0);

        var scale = await _fixture.Client.CustomObjects.GetNamespacedCustomObjectScaleAsync<JsonObject>("scale.example.com", "v1", ns, "roosts", "r2");
        scale["spec"]!["replicas"] = 6;
        await _fixture.Client.CustomObjects.ReplaceNamespacedCustomObjectScaleAsync<JsonObject>(scale, "scale.example.com", "v1", ns, "roosts", "r2");

        var roost = await _fixture.Client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>("scale.example.com", "v1", ns, "roosts", "r2");
        Assert.Equal(6, roost["spec"]!["size"]!.GetValue<int>());
        var resources = await _fixture.Client.CustomObjects.GetAPIResourcesAsync("scale.example.com", "v1");
        var entry = Assert.Single(resources.Resources, r => r.Name == "roosts/scale");
        Assert.Equal(("autoscaling", "v1", "Scale"), (entry.Group, entry.Version, entry.Kind));
    }

    private async Task CreateRoostAsync(string ns, string name, int size, int ready)
    {
        await _kubectl.RunAsync("apply", "-f", _fixture.WriteFile("crd.yaml", RoostDefinition));
        await EventuallyAsync(async () => (await _kubectl.TryRunAsync("get", "roosts", "-n", ns)).ExitCode == 0, "the Roost kind to be served");
        await _fixture.Client.CustomObjects.CreateNamespacedCustomObjectAsync(
            new JsonObject { ["apiVersion"] = "scale.example.com/v1", ["kind"] = "Roost", ["metadata"] = new JsonObject { ["name"] = name }, ["spec"] = new JsonObject { ["size"] = size } },
            "scale.example.com", "v1", ns, "roosts");
        await _fixture.Client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch($$$"""{"status":{"ready":{{{ready}}},"selector":"app=roost"}}""", V1Patch.PatchType.MergePatch), "scale.example.com", "v1", ns, "roosts", name);
    }

    private static string[] Rows(string table) =>
        table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToArray();
}
