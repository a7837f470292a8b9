using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using RoostKeeper.Ha.Testing.Tests.Clients;
using Xunit.Abstractions;
using static RoostKeeper.Ha.Testing.Tests.Conformance.Conformance;

namespace RoostKeeper.Ha.Testing.Tests.Resources;

/// <summary>
/// Field selectors per kind as the real server's field label conversions accept them: metadata.name and
/// metadata.namespace everywhere, each kind's own labels (an absent field reads as Go's zero value), a CRD's
/// selectableFields; any other label is a 400 "field label not supported".
/// </summary>
public sealed class FieldSelectorTests : IClassFixture<KubectlCluster>
{
    private readonly KubectlCluster _fixture;
    private readonly Kubectl _kubectl;
    private readonly ITestOutputHelper _output;

    public FieldSelectorTests(KubectlCluster fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
        _kubectl = new Kubectl(fixture, output);
    }

    private IKubernetes Client => _fixture.Client;

    [Fact]
    public async Task Kubectl_selects_pods_by_their_field_labels()
    {
        var ns = await _fixture.NewNamespaceAsync("fs-pods");
        await CreatePodAsync(ns, "bound", node: "node-a");
        await CreatePodAsync(ns, "loose", node: null);

        Assert.Equal("pod/bound", (await _kubectl.RunAsync("get", "pods", "-n", ns, "--field-selector", "spec.nodeName=node-a", "-o", "name")).Trim());
        Assert.Equal("pod/loose", (await _kubectl.RunAsync("get", "pods", "-n", ns, "--field-selector", "spec.nodeName=", "-o", "name")).Trim());
        Assert.Equal(2, (await Client.CoreV1.ListNamespacedPodAsync(ns, fieldSelector: "spec.restartPolicy=Always,spec.schedulerName=default-scheduler,spec.hostNetwork=false")).Items.Count);
        Assert.Single((await Client.CoreV1.ListNamespacedPodAsync(ns, fieldSelector: "metadata.name!=bound")).Items);
    }

    [Fact]
    public async Task The_Python_client_selects_pods_by_phase_and_gets_a_400_for_an_unsupported_label()
    {
        var ns = await _fixture.NewNamespaceAsync("fs-python");
        await CreatePodAsync(ns, "runs", node: "node-a");
        await EventuallyAsync(async () => (await Client.CoreV1.ReadNamespacedPodAsync("runs", ns)).Status?.Phase == "Running", "the pod to run");

        var seen = await new PythonClient(_fixture, _output).RunAsync(ns, """
            out([p.metadata.name for p in core.list_namespaced_pod(ns, field_selector="status.phase=Running").items])
            out([p.metadata.name for p in core.list_namespaced_pod(ns, field_selector="status.phase=Pending").items])
            try:
                core.list_namespaced_pod(ns, field_selector="spec.priority=0")
                out("accepted")
            except ApiException as e:
                out([e.status, json.loads(e.body)["message"]])
            """);

        Assert.Equal(["runs"], seen[0]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Empty(seen[1]!.AsArray());
        Assert.Equal("[400,\"field label not supported: spec.priority\"]", seen[2]!.ToJsonString());
    }

    [Fact]
    public async Task A_label_the_kind_does_not_support_is_a_400_with_the_real_message()
    {
        var ns = await _fixture.NewNamespaceAsync("fs-refused");

        var refused = await _kubectl.TryRunAsync("get", "pods", "-n", ns, "--field-selector", "spec.containers=x");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("field label not supported: spec.containers", refused.Stderr, StringComparison.Ordinal);

        var status = await ThrowsStatusAsync(HttpStatusCode.BadRequest, "BadRequest", () => Client.CoreV1.ListNamespacedConfigMapAsync(ns, fieldSelector: "data.mode=x"));
        Assert.Equal("field label not supported: data.mode", status.Message);
        await ThrowsStatusAsync(HttpStatusCode.BadRequest, "BadRequest", () => Client.CoreV1.ListNamespacedSecretAsync(ns, fieldSelector: "status.phase=Active"));
        await ThrowsStatusAsync(HttpStatusCode.BadRequest, "BadRequest", () => Client.AppsV1.ListNamespacedDeploymentAsync(ns, fieldSelector: "status.replicas=0"));
    }

    [Fact]
    public async Task Secrets_namespaces_replicasets_nodes_and_jobs_select_by_their_own_labels()
    {
        var ns = await _fixture.NewNamespaceAsync("fs-kinds");
        await Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "plain" } }, ns);
        await Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "token" }, Type = "kubernetes.io/basic-auth", StringData = new Dictionary<string, string> { ["username"] = "a" },
        }, ns);
        Assert.Equal(["token"], (await Client.CoreV1.ListNamespacedSecretAsync(ns, fieldSelector: "type=kubernetes.io/basic-auth")).Items.Select(s => s.Metadata.Name));

        Assert.Contains((await Client.CoreV1.ListNamespaceAsync(fieldSelector: "status.phase=Active")).Items, n => n.Metadata.Name == ns);

        await _kubectl.RunAsync("create", "deployment", "idle", "-n", ns, "--image=nginx:1.27", "--replicas=0");
        await EventuallyAsync(async () => (await Client.AppsV1.ListNamespacedReplicaSetAsync(ns)).Items.Count == 1, "the Deployment's ReplicaSet");
        Assert.Single((await Client.AppsV1.ListNamespacedReplicaSetAsync(ns, fieldSelector: "status.replicas=0")).Items);

        var node = $"node-{ns}";
        await Client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = node } });
        Assert.Contains((await Client.CoreV1.ListNodeAsync(fieldSelector: "spec.unschedulable=false")).Items, n => n.Metadata.Name == node);
        Assert.DoesNotContain((await Client.CoreV1.ListNodeAsync(fieldSelector: "spec.unschedulable=true")).Items, n => n.Metadata.Name == node);

        // A Job's "status.successful" reads status.succeeded; a CronJob has no labels of its own.
        Assert.Empty((await Client.BatchV1.ListNamespacedJobAsync(ns, fieldSelector: "status.successful=1")).Items);
        await ThrowsStatusAsync(HttpStatusCode.BadRequest, "BadRequest", () => Client.BatchV1.ListNamespacedCronJobAsync(ns, fieldSelector: "spec.suspend=false"));
    }

    [Fact]
    public async Task Events_select_by_involved_object_reason_source_and_type()
    {
        var ns = await _fixture.NewNamespaceAsync("fs-events");
        await _kubectl.RunAsync("create", "deployment", "web", "-n", ns, "--image=nginx:1.27", "--replicas=1");
        await EventuallyAsync(async () => (await Client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: "reason=SuccessfulCreate")).Items.Count == 1, "the ReplicaSet's event");

        var scaling = Assert.Single((await Client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: "involvedObject.kind=Deployment,involvedObject.name=web,type=Normal")).Items);
        Assert.Equal("ScalingReplicaSet", scaling.Reason);
        Assert.Single((await Client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: "source=replicaset-controller")).Items);
        Assert.Single((await Client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: "reportingComponent=deployment-controller")).Items);
        Assert.Contains("ScalingReplicaSet", await _kubectl.RunAsync("get", "events", "-n", ns, "--field-selector", "involvedObject.kind=Deployment"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_custom_resource_selects_by_metadata_and_its_selectable_fields_only()
    {
        var ns = await _fixture.NewNamespaceAsync("fs-crd");
        await _kubectl.RunAsync("apply", "-f", _fixture.WriteFile("crd.yaml", """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: perches.select.example.com}
            spec:
              group: select.example.com
              scope: Namespaced
              names: {plural: perches, singular: perch, kind: Perch}
              versions:
              - name: v1
                served: true
                storage: true
                selectableFields: [{jsonPath: .spec.color}]
                schema:
                  openAPIV3Schema:
                    type: object
                    properties:
                      spec: {type: object, properties: {color: {type: string}, size: {type: integer}}}
            """));
        await EventuallyAsync(async () => (await _kubectl.TryRunAsync("get", "perches", "-n", ns)).ExitCode == 0, "the Perch kind to be served");
        foreach (var (name, color) in new[] { ("red-one", "red"), ("blue-one", "blue") })
        {
            await Client.CustomObjects.CreateNamespacedCustomObjectAsync(new JsonObject
            {
                ["apiVersion"] = "select.example.com/v1", ["kind"] = "Perch", ["metadata"] = new JsonObject { ["name"] = name },
                ["spec"] = new JsonObject { ["color"] = color, ["size"] = 1 },
            }, "select.example.com", "v1", ns, "perches");
        }

        Assert.Equal("perch.select.example.com/red-one", (await _kubectl.RunAsync("get", "perches", "-n", ns, "--field-selector", "spec.color=red", "-o", "name")).Trim());
        var status = await ThrowsStatusAsync(HttpStatusCode.BadRequest, "BadRequest",
            () => Client.CustomObjects.ListNamespacedCustomObjectAsync<JsonObject>("select.example.com", "v1", ns, "perches", fieldSelector: "spec.size=1"));
        Assert.Equal("field label not supported: spec.size", status.Message);
    }

    private Task<V1Pod> CreatePodAsync(string ns, string name, string? node) =>
        Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1PodSpec { NodeName = node, Containers = [new V1Container { Name = "c", Image = "nginx:1.27" }] },
        }, ns);
}
