using System.Net;
using k8s;
using k8s.Models;
using static RoostKeeper.Ha.Testing.Tests.Conformance.Conformance;

namespace RoostKeeper.Ha.Testing.Tests.Conformance;

/// <summary>
/// Server-side apply as controllers use it through KubernetesClient: create-or-update from an applied
/// configuration, field ownership per manager in managedFields, 409 on another manager's field unless
/// forced, and containers and env merged by name.
/// </summary>
public sealed class ServerSideApplyTests
{
    [Fact]
    public async Task Apply_creates_then_updates_and_records_the_manager()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();

        var created = await ApplyConfigMapAsync(client, ns, "controller-a", """{"data":{"mode":"blue"}}""");
        var updated = await ApplyConfigMapAsync(client, ns, "controller-a", """{"data":{"mode":"green","size":"3"}}""");

        Assert.Equal("blue", created.Data["mode"]);
        Assert.Equal(new Dictionary<string, string> { ["mode"] = "green", ["size"] = "3" }, updated.Data);
        var entry = Assert.Single(updated.Metadata.ManagedFields, m => m.Manager == "controller-a");
        Assert.Equal("Apply", entry.Operation);
        Assert.Equal("FieldsV1", entry.FieldsType);
        Assert.True(Rv(updated) > Rv(created));
    }

    [Fact]
    public async Task A_field_another_manager_owns_conflicts_unless_forced()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await ApplyConfigMapAsync(client, ns, "controller-a", """{"data":{"mode":"blue"}}""");

        var status = await ThrowsStatusAsync(HttpStatusCode.Conflict, "Conflict", () => ApplyConfigMapAsync(client, ns, "controller-b", """{"data":{"mode":"red"}}"""));
        Assert.Contains("controller-a", status.Message, StringComparison.Ordinal);
        Assert.Equal("blue", (await client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns)).Data["mode"]);

        // The same value is shared ownership, not a conflict.
        await ApplyConfigMapAsync(client, ns, "controller-b", """{"data":{"mode":"blue"}}""");

        var forced = await ApplyConfigMapAsync(client, ns, "controller-b", """{"data":{"mode":"red"}}""", force: true);
        Assert.Equal("red", forced.Data["mode"]);

        // controller-a lost the field: re-applying without it no longer removes it.
        var after = await ApplyConfigMapAsync(client, ns, "controller-a", """{"data":{"other":"x"}}""");
        Assert.Equal("red", after.Data["mode"]);
    }

    [Fact]
    public async Task Containers_and_env_merge_by_name_and_a_field_no_longer_applied_is_removed()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        const string app = """
            "replicas":0,"selector":{"matchLabels":{"app":"web"}},
            "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[
            """;
        await ApplyDeploymentAsync(client, ns, "owner", """{"spec":{""" + app + """{"name":"web","image":"nginx:1.27","env":[{"name":"MODE","value":"blue"},{"name":"DEBUG","value":"1"}]}]}}}}""");
        await ApplyDeploymentAsync(client, ns, "sidecar-injector", """{"spec":{"template":{"spec":{"containers":[{"name":"proxy","image":"envoy:1"}]}}}}""");

        var both = await client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        Assert.Equal(["web", "proxy"], both.Spec.Template.Spec.Containers.Select(c => c.Name));

        // The owner drops DEBUG from its configuration: it goes; the injector's container stays.
        var after = await ApplyDeploymentAsync(client, ns, "owner", """{"spec":{""" + app + """{"name":"web","image":"nginx:1.27","env":[{"name":"MODE","value":"blue"}]}]}}}}""");
        Assert.Equal(["web", "proxy"], after.Spec.Template.Spec.Containers.Select(c => c.Name));
        Assert.Equal(["MODE"], after.Spec.Template.Spec.Containers[0].Env.Select(e => e.Name));
    }

    [Fact]
    public async Task Apply_without_a_field_manager_is_refused_with_400()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();

        await ThrowsStatusAsync(HttpStatusCode.BadRequest, "BadRequest", () => client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings"}}""", V1Patch.PatchType.ApplyPatch), "settings", ns));
    }

    [Fact]
    public async Task An_apply_dry_run_answers_the_result_and_stores_nothing()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var stored = await ApplyConfigMapAsync(client, ns, "controller-a", """{"data":{"mode":"blue"}}""");

        var answer = await client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings"},"data":{"mode":"green"}}""", V1Patch.PatchType.ApplyPatch),
            "settings", ns, dryRun: "All", fieldManager: "controller-a");

        Assert.Equal("green", answer.Data["mode"]);
        var after = await client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        Assert.Equal("blue", after.Data["mode"]);
        Assert.Equal(stored.Metadata.ResourceVersion, after.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task An_apply_whose_name_differs_from_the_url_is_refused_with_400()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();

        await ThrowsStatusAsync(HttpStatusCode.BadRequest, "BadRequest", () => client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"other"}}""", V1Patch.PatchType.ApplyPatch), "settings", ns, fieldManager: "a"));
        Assert.True(await IsGoneAsync(() => client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns)));
    }

    private static Task<V1ConfigMap> ApplyConfigMapAsync(IKubernetes client, string ns, string manager, string body, bool force = false) =>
        client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","namespace":""" + $"\"{ns}\"}}," + body[1..], V1Patch.PatchType.ApplyPatch),
            "settings", ns, fieldManager: manager, force: force);

    private static Task<V1Deployment> ApplyDeploymentAsync(IKubernetes client, string ns, string manager, string body) =>
        client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":""" + $"\"{ns}\"}}," + body[1..], V1Patch.PatchType.ApplyPatch),
            "web", ns, fieldManager: manager);
}
