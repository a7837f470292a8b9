using System.Net;
using k8s;
using k8s.Models;
using RoostKeeper.Ha.Testing.Tests.Clients;
using Xunit.Abstractions;
using static RoostKeeper.Ha.Testing.Tests.Conformance.Conformance;

namespace RoostKeeper.Ha.Testing.Tests.Admission;

/// <summary>
/// Fields a v1.33 API server refuses to change (422 with its message): a workload's selector, a Service's cluster
/// IP, the data of a ConfigMap or Secret marked immutable, a Job's template (but for the scheduling directives of a
/// suspended Job that never started); and the cross-field rules of a workload on create.
/// </summary>
public sealed class ImmutableFieldTests : IClassFixture<KubectlCluster>
{
    private readonly KubectlCluster _fixture;
    private readonly Kubectl _kubectl;

    public ImmutableFieldTests(KubectlCluster fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _kubectl = new Kubectl(fixture, output);
    }

    [Fact]
    public async Task Changing_a_deployments_selector_with_kubectl_apply_is_refused()
    {
        var ns = await _fixture.NewNamespaceAsync("immutable-selector");
        string Manifest(string tier) => _fixture.WriteFile("deploy.yaml", $$$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: {{{ns}}}}
            spec:
              replicas: 0
              selector: {matchLabels: {app: web, tier: {{{tier}}}}}
              template:
                metadata: {labels: {app: web, tier: {{{tier}}}}}
                spec: {containers: [{name: web, image: "nginx:1.27"}]}
            """);
        await _kubectl.RunAsync("apply", "-f", Manifest("edge"));

        var result = await _kubectl.TryRunAsync("apply", "-f", Manifest("front"));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("The Deployment \"web\" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\", \"tier\":\"front\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable", result.Stderr);
        Assert.Equal("edge", (await _fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns)).Spec.Selector.MatchLabels["tier"]);
    }

    [Fact]
    public async Task A_deployment_without_a_selector_or_containers_is_refused_with_every_error()
    {
        var ns = await _fixture.NewNamespaceAsync("invalid-deploy");
        var deployment = new V1Deployment
        {
            Metadata = Meta("bare"),
            Spec = new V1DeploymentSpec
            {
                Replicas = -1,
                Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "bare" } }, Spec = new V1PodSpec { Containers = [] } },
            },
        };

        var status = await ThrowsStatusAsync(HttpStatusCode.UnprocessableEntity, "Invalid", () => _fixture.Client.AppsV1.CreateNamespacedDeploymentAsync(deployment, ns));

        Assert.Equal("Deployment.apps \"bare\" is invalid: [spec.selector: Required value, spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"bare\"}: `selector` does not match template `labels`, "
            + "spec.template.spec.containers: Required value, spec.replicas: Invalid value: -1: must be greater than or equal to 0]", status.Message);
        Assert.Equal(["spec.selector", "spec.template.metadata.labels", "spec.template.spec.containers", "spec.replicas"], status.Details.Causes.Select(c => c.Field));
        Assert.Equal(["FieldValueRequired", "FieldValueInvalid", "FieldValueRequired", "FieldValueInvalid"], status.Details.Causes.Select(c => c.Reason));
    }

    [Fact]
    public async Task A_services_cluster_ip_may_not_change_once_set()
    {
        var ns = await _fixture.NewNamespaceAsync("immutable-ip");
        var service = await _fixture.Client.CoreV1.CreateNamespacedServiceAsync(new V1Service { Metadata = Meta("web"), Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 80 }] } }, ns);

        var result = await _kubectl.TryRunAsync("patch", "service", "web", "-n", ns, "--type=merge", "-p", """{"spec":{"clusterIP":"10.96.7.7","clusterIPs":["10.96.7.7"]}}""");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("The Service \"web\" is invalid: spec.clusterIPs[0]: Invalid value: []string{\"10.96.7.7\"}: may not change once set", result.Stderr);
        Assert.Equal(service.Spec.ClusterIP, (await _fixture.Client.CoreV1.ReadNamespacedServiceAsync("web", ns)).Spec.ClusterIP);
    }

    [Fact]
    public async Task An_immutable_configmap_or_secret_keeps_its_data_and_its_flag()
    {
        var ns = await _fixture.NewNamespaceAsync("immutable-data");
        var settings = ConfigMap("settings");
        settings.Immutable = true;
        await _fixture.Client.CoreV1.CreateNamespacedConfigMapAsync(settings, ns);
        await _fixture.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = Meta("token"), Immutable = true, StringData = new Dictionary<string, string> { ["k"] = "v" } }, ns);

        var data = await _kubectl.TryRunAsync("patch", "configmap", "settings", "-n", ns, "--type=merge", "-p", """{"data":{"k":"changed"}}""");
        Assert.Contains("The ConfigMap \"settings\" is invalid: data: Forbidden: field is immutable when `immutable` is set", data.Stderr);
        var flag = await _kubectl.TryRunAsync("patch", "secret", "token", "-n", ns, "--type=merge", "-p", """{"immutable":false}""");
        Assert.Contains("The Secret \"token\" is invalid: immutable: Forbidden: field is immutable when `immutable` is set", flag.Stderr);
        var type = await _kubectl.TryRunAsync("patch", "secret", "token", "-n", ns, "--type=merge", "-p", """{"type":"kubernetes.io/tls"}""");
        Assert.Contains("type: Invalid value: \"kubernetes.io/tls\": field is immutable", type.Stderr);

        // Metadata may still change, and the object may be deleted.
        await _kubectl.RunAsync("label", "configmap", "settings", "-n", ns, "tier=edge");
        await _kubectl.RunAsync("delete", "configmap", "settings", "-n", ns);
    }

    private string JobManifest(string ns, string image, bool suspend) =>
        _fixture.WriteFile("job.yaml", Manifests.Job(ns, image, $"suspend: {(suspend ? "true" : "false")}"));

    [Fact]
    public async Task Changing_a_jobs_template_with_kubectl_apply_is_refused()
    {
        var ns = await _fixture.NewNamespaceAsync("immutable-job");
        await _kubectl.RunAsync("apply", "-f", JobManifest(ns, "batch:one", suspend: false));

        var result = await _kubectl.TryRunAsync("apply", "-f", JobManifest(ns, "batch:two", suspend: false));

        Assert.NotEqual(0, result.ExitCode);
        // The server prints the template with Go's %#v (pointers as addresses); the simulator abbreviates it.
        Assert.Contains("The Job \"work\" is invalid: spec.template: Invalid value: core.PodTemplateSpec{", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("}: field is immutable", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("batch:one", (await _fixture.Client.BatchV1.ReadNamespacedJobAsync("work", ns)).Spec.Template.Spec.Containers[0].Image);
        // Not even the scheduling directives of a Job that is not suspended.
        await RefusedAsync(ns, """{"spec":{"template":{"spec":{"nodeSelector":{"disk":"ssd"}}}}}""");
    }

    [Fact]
    public async Task A_suspended_job_that_never_started_may_change_only_its_scheduling_directives()
    {
        var ns = await _fixture.NewNamespaceAsync("suspended-job");
        await _kubectl.RunAsync("apply", "-f", JobManifest(ns, "batch:one", suspend: true));

        await _kubectl.RunAsync("patch", "job", "work", "-n", ns, "--type=merge", "-p", """
            {"spec":{"template":{"metadata":{"labels":{"queue":"fast"},"annotations":{"team":"roost"}},
             "spec":{"nodeSelector":{"disk":"ssd"},"tolerations":[{"key":"gpu","operator":"Exists"}],"schedulingGates":[{"name":"quota"}],
             "affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}]}]}}}}}}}
            """);
        var template = (await _fixture.Client.BatchV1.ReadNamespacedJobAsync("work", ns)).Spec.Template;
        Assert.Equal(("fast", "ssd", "quota"), (template.Metadata.Labels["queue"], template.Spec.NodeSelector["disk"], template.Spec.SchedulingGates[0].Name));
        Assert.NotNull(template.Spec.Affinity.NodeAffinity);

        // Clearing the affinity again is allowed too (it held only node affinity), but not other changes.
        await _kubectl.RunAsync("patch", "job", "work", "-n", ns, "--type=json", "-p", """[{"op":"remove","path":"/spec/template/spec/affinity"}]""");
        await RefusedAsync(ns, """{"spec":{"template":{"spec":{"containers":[{"name":"work","image":"batch:two"}]}}}}""");
        await RefusedAsync(ns, """{"spec":{"template":{"spec":{"affinity":{"podAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":[{"topologyKey":"zone","labelSelector":{"matchLabels":{"app":"db"}}}]}}}}}}""");

        // Once it has started (status.startTime set), a suspended Job's template is fixed too.
        await _fixture.Client.BatchV1.PatchNamespacedJobStatusAsync(
            new V1Patch("""{"status":{"startTime":"2026-01-01T00:00:00Z"}}""", V1Patch.PatchType.MergePatch), "work", ns);
        await RefusedAsync(ns, """{"spec":{"template":{"spec":{"nodeSelector":{"disk":"hdd"}}}}}""");
    }

    private async Task RefusedAsync(string ns, string patch)
    {
        var result = await _kubectl.TryRunAsync("patch", "job", "work", "-n", ns, "--type=merge", "-p", patch);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable", result.Stderr, StringComparison.Ordinal);
    }
}
