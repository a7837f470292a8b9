using System.Net;
using System.Net.Http.Headers;
using System.Text;
using k8s;
using k8s.Models;
using RoostKeeper.Ha.Testing.Tests.Clients;
using Xunit.Abstractions;
using static RoostKeeper.Ha.Testing.Tests.Conformance.Conformance;

namespace RoostKeeper.Ha.Testing.Tests.Patching;

/// <summary>
/// Writes that are not applies are recorded in managedFields as <c>Update</c> managers (named by the
/// fieldManager parameter, else by the User-Agent; kubectl's client-side apply, create, replace, patch, edit, scale),
/// so a later apply that changes their fields conflicts with
/// them as on a real server, with the real message.
/// </summary>
public sealed class UpdateManagerTests : IClassFixture<KubectlCluster>
{
    private readonly KubectlCluster _fixture;
    private readonly Kubectl _kubectl;

    public UpdateManagerTests(KubectlCluster fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _kubectl = new Kubectl(fixture, output);
    }

    [Fact]
    public async Task A_server_side_apply_after_a_client_side_apply_conflicts_with_kubectl_client_side_apply()
    {
        var ns = await _fixture.NewNamespaceAsync("csa-ssa");
        await _kubectl.RunAsync("apply", "-f", _fixture.WriteFile("cm.yaml", Manifests.ConfigMap(ns, "settings", "one")));
        var entry = Assert.Single((await _fixture.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns)).Metadata.ManagedFields);
        Assert.Equal(("kubectl-client-side-apply", "Update", "v1"), (entry.Manager, entry.Operation, entry.ApiVersion));

        var changed = _fixture.WriteFile("cm.yaml", Manifests.ConfigMap(ns, "settings", "two"));
        var refused = await _kubectl.TryRunAsync("apply", "--server-side", "-f", changed);

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("error: Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using v1: .data.key", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal("one", (await _fixture.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns)).Data["key"]);

        // Forced, the field moves to the applier.
        await _kubectl.RunAsync("apply", "--server-side", "--force-conflicts", "-f", changed);
        var stored = await _fixture.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        Assert.Equal("two", stored.Data["key"]);
        Assert.Contains("f:key", Assert.Single(stored.Metadata.ManagedFields, m => m.Manager == "kubectl" && m.Operation == "Apply").FieldsV1.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_side_apply_after_kubectl_replace_conflicts_with_kubectl_replace()
    {
        var ns = await _fixture.NewNamespaceAsync("replace-ssa");
        await _kubectl.RunAsync("create", "-f", _fixture.WriteFile("cm.yaml", Manifests.ConfigMap(ns, "settings", "one")));
        await _kubectl.RunAsync("replace", "-f", _fixture.WriteFile("cm.yaml", Manifests.ConfigMap(ns, "settings", "two")));

        // The replace changed .data.key, so the field moved from the creator to the replacer.
        var entries = (await _fixture.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns)).Metadata.ManagedFields;
        var replaced = Assert.Single(entries, m => m.Manager == "kubectl-replace");
        Assert.Equal(("Update", "v1"), (replaced.Operation, replaced.ApiVersion));
        Assert.Contains("f:key", replaced.FieldsV1.ToString(), StringComparison.Ordinal);

        var changed = _fixture.WriteFile("cm.yaml", Manifests.ConfigMap(ns, "settings", "three"));
        var refused = await _kubectl.TryRunAsync("apply", "--server-side", "-f", changed);

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("error: Apply failed with 1 conflict: conflict with \"kubectl-replace\" using v1: .data.key", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal("two", (await _fixture.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns)).Data["key"]);

        // Applying the value the replace wrote is no conflict: the applier co-owns it.
        await _kubectl.RunAsync("apply", "--server-side", "-f", _fixture.WriteFile("cm.yaml", Manifests.ConfigMap(ns, "settings", "two")));
    }

    [Fact]
    public async Task Kubectl_create_patch_edit_and_scale_are_update_managers_an_apply_conflicts_with()
    {
        var ns = await _fixture.NewNamespaceAsync("csa-managers");
        await _kubectl.RunAsync("create", "deployment", "web", "-n", ns, "--image=nginx:1.27", "--replicas=1");
        await _kubectl.RunAsync("patch", "deployment", "web", "-n", ns, "-p", """{"spec":{"minReadySeconds":5}}""");
        await _kubectl.RunAsync("scale", "deployment", "web", "-n", ns, "--replicas=2");
        await _kubectl.RunAsync("annotate", "deployment", "web", "-n", ns, "team=roost");
        await _kubectl.EditAsync("s/nginx:1.27/nginx:1.28/", "deployment", "web", "-n", ns);

        var managers = (await _fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns)).Metadata.ManagedFields
            .Select(m => (m.Manager, m.Operation, m.Subresource ?? "")).ToList();
        Assert.Contains(("kubectl-create", "Update", ""), managers);
        Assert.Contains(("kubectl-patch", "Update", ""), managers);
        Assert.Contains(("kubectl-annotate", "Update", ""), managers);
        Assert.Contains(("kubectl-edit", "Update", ""), managers);
        // kubectl scale sends no manager: its User-Agent names it, which starts with the binary's file name.
        var agent = Path.GetFileName(KubectlBinary.Path);
        Assert.Contains((agent, "Update", "scale"), managers);

        var status = await ThrowsStatusAsync(HttpStatusCode.Conflict, "Conflict", () => _fixture.Client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":4,"minReadySeconds":9}}""", V1Patch.PatchType.ApplyPatch),
            "web", ns, fieldManager: "deployer"));
        // Grouped by manager, in the order of the managers' identifiers (JSON text beginning with the name).
        string[] groups =
        [
            $"conflicts with \"{agent}\" with subresource \"scale\" using apps/v1:\n- .spec.replicas",
            "conflicts with \"kubectl-patch\" using apps/v1:\n- .spec.minReadySeconds",
        ];
        var scaleFirst = string.CompareOrdinal(agent + "\"", "kubectl-patch\"") < 0;
        Assert.Equal("Apply failed with 2 conflicts: " + (scaleFirst ? groups[0] + "\n" + groups[1] : groups[1] + "\n" + groups[0]), status.Message);
        Assert.Equal([".spec.minReadySeconds", ".spec.replicas"], status.Details.Causes.Select(c => c.Field).Order(StringComparer.Ordinal));
        Assert.All(status.Details.Causes, c => Assert.Equal("FieldManagerConflict", c.Reason));
    }

    [Fact]
    public async Task An_edit_takes_the_field_from_an_applier_whose_next_apply_then_conflicts()
    {
        var ns = await _fixture.NewNamespaceAsync("csa-edit");
        await ApplyAsync(ns, "controller-a", "red");
        await _kubectl.RunAsync("patch", "configmap", "settings", "-n", ns, "--type=merge", "-p", """{"data":{"mode":"blue"}}""");

        var stored = await _fixture.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        // The applier owned nothing else, so its entry is gone; the patcher owns the field now.
        Assert.Equal(["kubectl-patch"], stored.Metadata.ManagedFields.Select(m => m.Manager));
        var status = await ThrowsStatusAsync(HttpStatusCode.Conflict, "Conflict", () => ApplyAsync(ns, "controller-a", "red"));
        Assert.Equal("Apply failed with 1 conflict: conflict with \"kubectl-patch\" using v1: .data.mode", status.Message);

        // Applying the value the field already has is not a conflict: the applier co-owns it.
        await ApplyAsync(ns, "controller-a", "blue");
    }

    [Fact]
    public async Task Without_a_field_manager_the_user_agent_names_the_update_manager()
    {
        var ns = await _fixture.NewNamespaceAsync("csa-agent");
        await _fixture.Client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "settings" }, Data = new Dictionary<string, string> { ["mode"] = "red" } }, ns);
        var created = await _fixture.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        Assert.Equal("kubernetes-csharp", Assert.Single(created.Metadata.ManagedFields).Manager);

        using var http = new HttpClient { BaseAddress = _fixture.Cluster.BaseAddress };
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("roost-tool", "1.2"));
        using var patch = new StringContent("""{"data":{"size":"large"}}""", Encoding.UTF8);
        patch.Headers.ContentType = new MediaTypeHeaderValue("application/merge-patch+json");
        using var response = await http.PatchAsync($"api/v1/namespaces/{ns}/configmaps/settings", patch);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var stored = await _fixture.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        Assert.Equal(["kubernetes-csharp", "roost-tool"], stored.Metadata.ManagedFields.Select(m => m.Manager));
        Assert.Equal(created.Metadata.ManagedFields[0].Time, stored.Metadata.ManagedFields[0].Time); // not touched: it changed nothing there
    }

    [Fact]
    public async Task A_status_write_is_an_update_manager_of_the_status_subresource()
    {
        var ns = await _fixture.NewNamespaceAsync("csa-status");
        await _kubectl.RunAsync("create", "deployment", "web", "-n", ns, "--image=nginx:1.27", "--replicas=0");
        await _fixture.Client.AppsV1.PatchNamespacedDeploymentStatusAsync(
            new V1Patch("""{"status":{"observedGeneration":7}}""", V1Patch.PatchType.MergePatch), "web", ns, fieldManager: "status-writer");

        var entry = Assert.Single((await _fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns)).Metadata.ManagedFields, m => m.Manager == "status-writer");
        Assert.Equal(("Update", "status"), (entry.Operation, entry.Subresource));
        Assert.Equal("""{"f:status":{"f:observedGeneration":{}}}""", KubernetesJson.Serialize(entry.FieldsV1));
    }

    private Task<V1ConfigMap> ApplyAsync(string ns, string manager, string mode) =>
        _fixture.Client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch($$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings"},"data":{"mode":"{{{mode}}}"}}""", V1Patch.PatchType.ApplyPatch),
            "settings", ns, fieldManager: manager);
}
