using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using RoostKeeper.Ha.Testing.Tests.Clients;
using Xunit.Abstractions;
using static RoostKeeper.Ha.Testing.Tests.Conformance.Conformance;

namespace RoostKeeper.Ha.Testing.Tests.Resources;

/// <summary>
/// Discovery serves the groups and kinds every v1.33 cluster has, with the real scope, short names, verbs
/// and categories; kinds without semantics of their own are stored as plain objects; reviews are answered,
/// never stored.
/// </summary>
public sealed class BuiltInResourcesTests : IClassFixture<KubectlCluster>
{
    private readonly KubectlCluster _fixture;
    private readonly Kubectl _kubectl;
    private readonly ITestOutputHelper _output;

    public BuiltInResourcesTests(KubectlCluster fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
        _kubectl = new Kubectl(fixture, output);
    }

    [Theory]
    [InlineData("bindings", "", "v1", "true", "Binding", "create", "")]
    [InlineData("componentstatuses", "cs", "v1", "false", "ComponentStatus", "get,list", "")]
    [InlineData("limitranges", "limits", "v1", "true", "LimitRange", "create,delete,deletecollection,get,list,patch,update,watch", "")]
    [InlineData("namespaces", "ns", "v1", "false", "Namespace", "create,delete,get,list,patch,update,watch", "")]
    [InlineData("persistentvolumes", "pv", "v1", "false", "PersistentVolume", "create,delete,deletecollection,get,list,patch,update,watch", "")]
    [InlineData("podtemplates", "", "v1", "true", "PodTemplate", "create,delete,deletecollection,get,list,patch,update,watch", "")]
    [InlineData("replicationcontrollers", "rc", "v1", "true", "ReplicationController", "create,delete,deletecollection,get,list,patch,update,watch", "all")]
    [InlineData("resourcequotas", "quota", "v1", "true", "ResourceQuota", "create,delete,deletecollection,get,list,patch,update,watch", "")]
    [InlineData("controllerrevisions", "", "apps/v1", "true", "ControllerRevision", "create,delete,deletecollection,get,list,patch,update,watch", "")]
    [InlineData("apiservices", "", "apiregistration.k8s.io/v1", "false", "APIService", "create,delete,deletecollection,get,list,patch,update,watch", "api-extensions")]
    [InlineData("tokenreviews", "", "authentication.k8s.io/v1", "false", "TokenReview", "create", "")]
    [InlineData("localsubjectaccessreviews", "", "authorization.k8s.io/v1", "true", "LocalSubjectAccessReview", "create", "")]
    [InlineData("selfsubjectaccessreviews", "", "authorization.k8s.io/v1", "false", "SelfSubjectAccessReview", "create", "")]
    [InlineData("horizontalpodautoscalers", "hpa", "autoscaling/v2", "true", "HorizontalPodAutoscaler", "create,delete,deletecollection,get,list,patch,update,watch", "all")]
    [InlineData("cronjobs", "cj", "batch/v1", "true", "CronJob", "create,delete,deletecollection,get,list,patch,update,watch", "all")]
    [InlineData("jobs", "", "batch/v1", "true", "Job", "create,delete,deletecollection,get,list,patch,update,watch", "all")]
    [InlineData("certificatesigningrequests", "csr", "certificates.k8s.io/v1", "false", "CertificateSigningRequest", "create,delete,deletecollection,get,list,patch,update,watch", "")]
    [InlineData("ingressclasses", "", "networking.k8s.io/v1", "false", "IngressClass", "create,delete,deletecollection,get,list,patch,update,watch", "")]
    [InlineData("ingresses", "ing", "networking.k8s.io/v1", "true", "Ingress", "create,delete,deletecollection,get,list,patch,update,watch", "")]
    [InlineData("runtimeclasses", "", "node.k8s.io/v1", "false", "RuntimeClass", "create,delete,deletecollection,get,list,patch,update,watch", "")]
    [InlineData("poddisruptionbudgets", "pdb", "policy/v1", "true", "PodDisruptionBudget", "create,delete,deletecollection,get,list,patch,update,watch", "")]
    [InlineData("priorityclasses", "pc", "scheduling.k8s.io/v1", "false", "PriorityClass", "create,delete,deletecollection,get,list,patch,update,watch", "")]
    [InlineData("storageclasses", "sc", "storage.k8s.io/v1", "false", "StorageClass", "create,delete,deletecollection,get,list,patch,update,watch", "")]
    [InlineData("csistoragecapacities", "", "storage.k8s.io/v1", "true", "CSIStorageCapacity", "create,delete,deletecollection,get,list,patch,update,watch", "")]
    [InlineData("flowschemas", "", "flowcontrol.apiserver.k8s.io/v1", "false", "FlowSchema", "create,delete,deletecollection,get,list,patch,update,watch", "")]
    public async Task Kubectl_api_resources_lists_the_kind_as_a_v1_33_server_does(
        string name, string shortNames, string apiVersion, string namespaced, string kind, string verbs, string categories)
    {
        var rows = (await _kubectl.RunAsync("api-resources", "-o", "wide", "--no-headers")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();

        string[] expected = [name, .. shortNames.Length > 0 ? [shortNames] : Array.Empty<string>(), apiVersion, namespaced, kind, verbs, .. categories.Length > 0 ? [categories] : Array.Empty<string>()];
        Assert.Contains(rows, r => r.SequenceEqual(expected));
    }

    [Fact]
    public async Task Plain_kinds_are_stored_listed_and_deleted_through_kubectl_and_the_Python_client()
    {
        var ns = await _fixture.NewNamespaceAsync("plain-kinds");
        await _kubectl.RunAsync("apply", "-f", _fixture.WriteFile("plain.yaml", $"""
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {"{"}name: web, namespace: {ns}{"}"}
            spec:
              ingressClassName: edge
              rules: [{"{"}host: roost.example.com{"}"}]
            ---
            apiVersion: networking.k8s.io/v1
            kind: IngressClass
            metadata: {"{"}name: edge-{ns}{"}"}
            spec: {"{"}controller: example.com/edge{"}"}
            ---
            apiVersion: v1
            kind: ResourceQuota
            metadata: {"{"}name: quota, namespace: {ns}{"}"}
            spec: {"{"}hard: {"{"}pods: "10"{"}"}{"}"}
            """));
        await _kubectl.RunAsync("create", "priorityclass", $"high-{ns}", "--value=1000", "--description=first");

        Assert.Equal("roost.example.com", (await _kubectl.RunAsync("get", "ing", "web", "-n", ns, "-o", "jsonpath={.spec.rules[0].host}")).Trim());
        Assert.Equal("1000", (await _kubectl.RunAsync("get", "pc", $"high-{ns}", "-o", "jsonpath={.value}")).Trim());
        Assert.Equal("10", (await _kubectl.RunAsync("get", "quota", "quota", "-n", ns, "-o", "jsonpath={.spec.hard.pods}")).Trim());

        var python = new PythonClient(_fixture, _output);
        var seen = await python.RunAsync(ns, """
            net = client.NetworkingV1Api()
            out([i.metadata.name for i in net.list_namespaced_ingress(ns).items])
            out(net.read_ingress_class("edge-" + ns).spec.controller)
            net.delete_namespaced_ingress("web", ns)
            out([i.metadata.name for i in net.list_namespaced_ingress(ns).items])
            """);
        Assert.Equal(["web"], seen[0]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("example.com/edge", seen[1]!.GetValue<string>());
        Assert.Empty(seen[2]!.AsArray());
    }

    [Fact]
    public async Task Reviews_are_answered_as_an_always_allow_server_and_never_stored()
    {
        Assert.Equal("yes", (await _kubectl.RunAsync("auth", "can-i", "create", "deployments")).Trim());
        Assert.Contains("kubernetes-admin", await _kubectl.RunAsync("auth", "whoami"), StringComparison.Ordinal); // no credentials: the admin
        var rules = await _fixture.Client.AuthorizationV1.CreateSelfSubjectRulesReviewAsync(new V1SelfSubjectRulesReview { Spec = new V1SelfSubjectRulesReviewSpec { NamespaceProperty = "default" } });
        Assert.Equal((false, "*"), (rules.Status.Incomplete, Assert.Single(Assert.Single(rules.Status.ResourceRules).Verbs)));

        var review = await _fixture.Client.AuthorizationV1.CreateSubjectAccessReviewAsync(new V1SubjectAccessReview
        {
            Spec = new V1SubjectAccessReviewSpec { User = "jane", ResourceAttributes = new V1ResourceAttributes { Verb = "delete", Resource = "pods", NamespaceProperty = "default" } },
        });
        Assert.True(review.Status.Allowed);
        Assert.Equal("jane", review.Spec.User);

        var listed = await _kubectl.TryRunAsync("get", "selfsubjectaccessreviews");
        Assert.NotEqual(0, listed.ExitCode);
        Assert.Contains("Error from server (MethodNotAllowed): the server does not allow this method on the requested resource", listed.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_binding_assigns_a_pod_to_a_node_once()
    {
        var ns = await _fixture.NewNamespaceAsync("binding");
        await _fixture.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "p" },
            Spec = new V1PodSpec { SchedulerName = "custom", Containers = [new V1Container { Name = "c", Image = "nginx:1.27" }] },
        }, ns);
        var binding = new V1Binding { Metadata = new V1ObjectMeta { Name = "p" }, Target = new V1ObjectReference { Kind = "Node", Name = "node-a" } };

        await _fixture.Client.CoreV1.CreateNamespacedBindingAsync(binding, ns);

        Assert.Equal("node-a", (await _fixture.Client.CoreV1.ReadNamespacedPodAsync("p", ns)).Spec.NodeName);
        var again = await ThrowsStatusAsync(HttpStatusCode.Conflict, "Conflict", () => _fixture.Client.CoreV1.CreateNamespacedBindingAsync(binding, ns));
        Assert.Equal("Operation cannot be fulfilled on pods/binding \"p\": pod p is already assigned to node \"node-a\"", again.Message);
    }

    [Fact]
    public async Task A_kind_is_discovered_with_its_group_preferring_autoscaling_v2()
    {
        var group = await _fixture.Client.Apis.GetAPIVersionsAsync();
        var autoscaling = Assert.Single(group.Groups, g => g.Name == "autoscaling");
        Assert.Equal("autoscaling/v2", autoscaling.PreferredVersion.GroupVersion);
        Assert.Equal(["autoscaling/v2", "autoscaling/v1"], autoscaling.Versions.Select(v => v.GroupVersion));
        foreach (var name in new[] { "batch", "storage.k8s.io", "scheduling.k8s.io", "policy", "networking.k8s.io", "authorization.k8s.io",
            "authentication.k8s.io", "certificates.k8s.io", "node.k8s.io", "apiregistration.k8s.io", "events.k8s.io", "flowcontrol.apiserver.k8s.io" })
        {
            Assert.Contains(group.Groups, g => g.Name == name);
        }

        var raw = JsonNode.Parse(await _kubectl.RunAsync("get", "--raw", "/apis/apps/v1"))!;
        var scale = raw["resources"]!.AsArray().Single(r => r!["name"]!.GetValue<string>() == "deployments/scale")!;
        Assert.Equal("Scale", scale["kind"]!.GetValue<string>());
    }
}
