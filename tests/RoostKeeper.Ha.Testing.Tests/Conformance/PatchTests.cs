using System.Net;
using k8s;
using k8s.Models;
using static RoostKeeper.Ha.Testing.Tests.Conformance.Conformance;

namespace RoostKeeper.Ha.Testing.Tests.Conformance;

/// <summary>Merge, strategic merge and JSON patches, and their optimistic concurrency.</summary>
public sealed class PatchTests
{
    [Fact]
    public async Task Merge_patch_adds_changes_and_removes_keys_with_null()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var created = await client.CoreV1.CreateNamespacedConfigMapAsync(
            ConfigMap("m", new Dictionary<string, string> { ["keep"] = "1", ["drop"] = "1" }, new Dictionary<string, string> { ["a"] = "1", ["b"] = "1" }), ns);

        var patched = await client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("""{"metadata":{"labels":{"drop":null,"new":"x"}},"data":{"a":"2","b":null,"c":"3"}}""", V1Patch.PatchType.MergePatch), "m", ns);

        Assert.Equal(new Dictionary<string, string> { ["a"] = "2", ["c"] = "3" }, patched.Data);
        Assert.Equal(new Dictionary<string, string> { ["keep"] = "1", ["new"] = "x" }, patched.Metadata.Labels);
        Assert.Equal(created.Metadata.Uid, patched.Metadata.Uid);
        Assert.True(Rv(patched) > Rv(created));
    }

    [Fact]
    public async Task Merge_patch_replaces_lists_whole()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("mlist", ("a", "img-a:1"), ("b", "img-b:1")), ns);

        var patched = await client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("""{"spec":{"template":{"spec":{"containers":[{"name":"b","image":"img-b:2"}]}}}}""", V1Patch.PatchType.MergePatch), "mlist", ns);

        var container = Assert.Single(patched.Spec.Template.Spec.Containers);
        Assert.Equal(("b", "img-b:2"), (container.Name, container.Image));
    }

    [Fact]
    public async Task Strategic_merge_patch_merges_containers_by_name()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var created = await client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("smp", ("a", "img-a:1"), ("b", "img-b:1")), ns);

        var patched = await client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("""{"spec":{"template":{"spec":{"containers":[{"name":"b","image":"img-b:2"}]}}}}""", V1Patch.PatchType.StrategicMergePatch), "smp", ns);

        Assert.Equal([("a", "img-a:1"), ("b", "img-b:2")], patched.Spec.Template.Spec.Containers.Select(c => (c.Name, c.Image)));
        Assert.Equal(created.Metadata.Generation + 1, patched.Metadata.Generation);
        var read = await client.AppsV1.ReadNamespacedDeploymentAsync("smp", ns);
        Assert.Equal([("a", "img-a:1"), ("b", "img-b:2")], read.Spec.Template.Spec.Containers.Select(c => (c.Name, c.Image)));
    }

    [Fact]
    public async Task Strategic_merge_patch_adds_a_container_deletes_one_with_the_patch_directive_and_merges_env_by_name()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var deployment = Deployment("smp2", ("a", "img-a:1"), ("b", "img-b:1"));
        deployment.Spec.Template.Spec.Containers[0].Env = [new V1EnvVar { Name = "X", Value = "1" }, new V1EnvVar { Name = "Y", Value = "1" }];
        await client.AppsV1.CreateNamespacedDeploymentAsync(deployment, ns);

        var patched = await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(
            """
            {"spec":{"template":{"spec":{"containers":[
              {"name":"a","env":[{"name":"Y","value":"2"}]},
              {"name":"b","$patch":"delete"},
              {"name":"c","image":"img-c:1"}]}}}}
            """, V1Patch.PatchType.StrategicMergePatch), "smp2", ns);

        var containers = patched.Spec.Template.Spec.Containers;
        Assert.Equal(["a", "c"], containers.Select(c => c.Name));
        Assert.Equal("img-a:1", containers[0].Image);
        Assert.Equal([("X", "1"), ("Y", "2")], containers[0].Env.Select(e => (e.Name, e.Value)));
    }

    [Fact]
    public async Task Json_patch_adds_replaces_and_removes()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("j", data: new Dictionary<string, string> { ["a"] = "1", ["b"] = "1" }), ns);

        var patched = await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(
            """
            [{"op":"test","path":"/data/a","value":"1"},
             {"op":"add","path":"/data/c","value":"3"},
             {"op":"replace","path":"/data/a","value":"2"},
             {"op":"remove","path":"/data/b"},
             {"op":"add","path":"/metadata/labels","value":{"patched":"json"}}]
            """, V1Patch.PatchType.JsonPatch), "j", ns);

        Assert.Equal(new Dictionary<string, string> { ["a"] = "2", ["c"] = "3" }, patched.Data);
        Assert.Equal("json", patched.Metadata.Labels["patched"]);
    }

    [Fact]
    public async Task Json_patch_edits_list_elements_by_index()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("jl", ("a", "img-a:1"), ("b", "img-b:1")), ns);

        var patched = await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(
            """[{"op":"replace","path":"/spec/template/spec/containers/1/image","value":"img-b:2"},{"op":"add","path":"/spec/template/spec/containers/-","value":{"name":"c","image":"img-c:1"}}]""",
            V1Patch.PatchType.JsonPatch), "jl", ns);

        Assert.Equal([("a", "img-a:1"), ("b", "img-b:2"), ("c", "img-c:1")], patched.Spec.Template.Spec.Containers.Select(c => (c.Name, c.Image)));
    }

    [Fact]
    public async Task Json_patch_with_a_failing_test_fails_422_and_changes_nothing()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var created = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("jt", data: new Dictionary<string, string> { ["a"] = "1" }), ns);

        await ThrowsStatusAsync(HttpStatusCode.UnprocessableEntity, "Invalid", () => client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(
            """[{"op":"replace","path":"/data/a","value":"2"},{"op":"test","path":"/data/a","value":"1"}]""", V1Patch.PatchType.JsonPatch), "jt", ns));

        var read = await client.CoreV1.ReadNamespacedConfigMapAsync("jt", ns);
        Assert.Equal("1", read.Data["a"]);
        Assert.Equal(created.Metadata.ResourceVersion, read.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Json_patch_moves_and_copies_and_fails_422_on_a_missing_path()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("jm", data: new Dictionary<string, string> { ["a"] = "1" }), ns);

        var patched = await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(
            """[{"op":"copy","from":"/data/a","path":"/data/b"},{"op":"move","from":"/data/a","path":"/data/c"}]""", V1Patch.PatchType.JsonPatch), "jm", ns);
        Assert.Equal(new Dictionary<string, string> { ["b"] = "1", ["c"] = "1" }, patched.Data);

        await ThrowsStatusAsync(HttpStatusCode.UnprocessableEntity, "Invalid", () => client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("""[{"op":"remove","path":"/data/missing"}]""", V1Patch.PatchType.JsonPatch), "jm", ns));
    }

    [Fact]
    public async Task Json_patch_test_on_resourceVersion_is_a_compare_and_swap()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var created = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cas"), ns);
        var patch = $$"""[{"op":"test","path":"/metadata/resourceVersion","value":"{{created.Metadata.ResourceVersion}}"},{"op":"replace","path":"/data/k","value":"mine"}]""";

        var first = await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(patch, V1Patch.PatchType.JsonPatch), "cas", ns);
        Assert.Equal("mine", first.Data["k"]);
        await ThrowsStatusAsync(HttpStatusCode.UnprocessableEntity, "Invalid",
            () => client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(patch, V1Patch.PatchType.JsonPatch), "cas", ns));
    }

    [Fact]
    public async Task Patch_with_a_stale_resourceVersion_fails_409_Conflict()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var created = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("p409"), ns);
        var current = await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"k":"2"}}""", V1Patch.PatchType.MergePatch), "p409", ns);

        await ThrowsStatusAsync(HttpStatusCode.Conflict, "Conflict", () => client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch($$$"""{"metadata":{"resourceVersion":"{{{created.Metadata.ResourceVersion}}}"},"data":{"k":"stale"}}""", V1Patch.PatchType.MergePatch), "p409", ns));
        await ThrowsStatusAsync(HttpStatusCode.Conflict, "Conflict", () => client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch($$$"""{"metadata":{"resourceVersion":"{{{created.Metadata.ResourceVersion}}}"},"data":{"k":"stale"}}""", V1Patch.PatchType.StrategicMergePatch), "p409", ns));
        Assert.Equal("2", (await client.CoreV1.ReadNamespacedConfigMapAsync("p409", ns)).Data["k"]);

        // With the current resourceVersion the same patch applies.
        var applied = await client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch($$$"""{"metadata":{"resourceVersion":"{{{current.Metadata.ResourceVersion}}}"},"data":{"k":"fresh"}}""", V1Patch.PatchType.MergePatch), "p409", ns);
        Assert.Equal("fresh", applied.Data["k"]);
    }

    [Fact]
    public async Task Patching_a_missing_object_fails_404()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();

        await ThrowsStatusAsync(HttpStatusCode.NotFound, "NotFound",
            () => client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"k":"v"}}""", V1Patch.PatchType.MergePatch), "missing", ns));
    }

    [Fact]
    public async Task Status_patch_changes_only_the_status()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("sp"), ns);

        var patched = await client.AppsV1.PatchNamespacedDeploymentStatusAsync(
            new V1Patch("""{"spec":{"minReadySeconds":99},"status":{"replicas":7}}""", V1Patch.PatchType.MergePatch), "sp", ns);

        Assert.Equal(7, patched.Status.Replicas);
        Assert.NotEqual(99, patched.Spec.MinReadySeconds);
        Assert.Equal(1, patched.Metadata.Generation);
    }
}
