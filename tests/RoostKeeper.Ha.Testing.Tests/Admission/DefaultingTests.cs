using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using RoostKeeper.Ha.Testing.Tests.Clients;
using Xunit.Abstractions;
using static RoostKeeper.Ha.Testing.Tests.Conformance.Conformance;

namespace RoostKeeper.Ha.Testing.Tests.Admission;

/// <summary>
/// The defaults a v1.33 API server fills in, seen as the clients see them: a Deployment from <c>kubectl create
/// deployment</c>; StatefulSets, a ReplicaSet, DaemonSets, a Service (with an allocated cluster IP) and a Secret's
/// stringData from <c>kubectl apply</c>;
/// a Pod from the Python client.
/// </summary>
public sealed class DefaultingTests : IClassFixture<KubectlCluster>
{
    private readonly KubectlCluster _fixture;
    private readonly Kubectl _kubectl;
    private readonly PythonClient _python;

    public DefaultingTests(KubectlCluster fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _kubectl = new Kubectl(fixture, output);
        _python = new PythonClient(fixture, output);
    }

    [Fact]
    public async Task A_deployment_gets_the_apps_and_pod_template_defaults()
    {
        var ns = await _fixture.NewNamespaceAsync("default-deploy");
        await _kubectl.RunAsync("create", "deployment", "web", "-n", ns, "--image=nginx", "--port=8080");

        var deployment = JsonNode.Parse(await _kubectl.RunAsync("get", "deployment", "web", "-n", ns, "-o", "json"))!;
        var spec = deployment["spec"]!;
        Assert.Equal((10, 600), ((int)spec["revisionHistoryLimit"]!, (int)spec["progressDeadlineSeconds"]!));
        Assert.Equal("RollingUpdate", (string?)spec["strategy"]!["type"]);
        Assert.Equal(("25%", "25%"), ((string?)spec["strategy"]!["rollingUpdate"]!["maxSurge"], (string?)spec["strategy"]!["rollingUpdate"]!["maxUnavailable"]));
        var podSpec = spec["template"]!["spec"]!;
        Assert.Equal(("Always", "ClusterFirst", "default-scheduler", 30), ((string?)podSpec["restartPolicy"], (string?)podSpec["dnsPolicy"], (string?)podSpec["schedulerName"], (int)podSpec["terminationGracePeriodSeconds"]!));
        Assert.Equal("{}", podSpec["securityContext"]!.ToJsonString());
        var container = podSpec["containers"]![0]!;
        Assert.Equal("Always", (string?)container["imagePullPolicy"]); // no tag means latest
        Assert.Equal(("/dev/termination-log", "File"), ((string?)container["terminationMessagePath"], (string?)container["terminationMessagePolicy"]));
        Assert.Equal("TCP", (string?)container["ports"]![0]!["protocol"]);

        // A container added by an update is defaulted too, and a tag other than latest pulls IfNotPresent.
        await _kubectl.RunAsync("patch", "deployment", "web", "-n", ns, "--type=strategic", "-p", """{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.36"}]}}}}""");
        var updated = await _fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        var sidecar = updated.Spec.Template.Spec.Containers.Single(c => c.Name == "sidecar");
        Assert.Equal(("IfNotPresent", "File"), (sidecar.ImagePullPolicy, sidecar.TerminationMessagePolicy));
        Assert.Equal("Always", updated.Spec.Template.Spec.Containers.Single(c => c.Name == "nginx").ImagePullPolicy);
    }

    [Fact]
    public async Task Statefulsets_replicasets_and_daemonsets_get_the_apps_v1_defaults()
    {
        var ns = await _fixture.NewNamespaceAsync("default-apps");
        static string Workload(string kind, string name, string spec = "") => $"""
            apiVersion: apps/v1
            kind: {kind}
            metadata:
              name: {name}
            spec:
              selector:
                matchLabels:
                  app: {name}
              template:
                metadata:
                  labels:
                    app: {name}
                spec:
                  containers:
                  - name: main
                    image: nginx:1.27
            {spec}
            """;
        var manifest = _fixture.WriteFile("apps.yaml", string.Join("\n---\n",
            Workload("StatefulSet", "db", "  serviceName: db"),
            Workload("StatefulSet", "db-typed", "  serviceName: db\n  updateStrategy: {type: RollingUpdate}"),
            Workload("ReplicaSet", "rs"),
            Workload("DaemonSet", "agent"),
            Workload("DaemonSet", "agent-ondelete", "  updateStrategy: {type: OnDelete}")));
        await _kubectl.RunAsync("apply", "-n", ns, "-f", manifest);

        async Task<JsonNode> SpecAsync(string kind, string name) =>
            JsonNode.Parse(await _kubectl.RunAsync("get", kind, name, "-n", ns, "-o", "json"))!["spec"]!;

        // SetDefaults_StatefulSet: the defaulted type brings rollingUpdate with partition 0; PVCs are retained.
        var db = await SpecAsync("statefulset", "db");
        Assert.Equal((1, 10, "OrderedReady"), ((int)db["replicas"]!, (int)db["revisionHistoryLimit"]!, (string?)db["podManagementPolicy"]));
        Assert.Equal("""{"rollingUpdate":{"partition":0},"type":"RollingUpdate"}""", Sorted(db["updateStrategy"]!));
        Assert.Equal("""{"whenDeleted":"Retain","whenScaled":"Retain"}""", Sorted(db["persistentVolumeClaimRetentionPolicy"]!));
        Assert.Equal(("Always", "ClusterFirst"), ((string?)db["template"]!["spec"]!["restartPolicy"], (string?)db["template"]!["spec"]!["dnsPolicy"]));

        // An explicit RollingUpdate type gets no rollingUpdate: the defaulter adds it only with the type.
        Assert.Equal("""{"type":"RollingUpdate"}""", Sorted((await SpecAsync("statefulset", "db-typed"))["updateStrategy"]!));

        // SetDefaults_ReplicaSet: only replicas (and the pod template's defaults).
        var rs = await SpecAsync("replicaset", "rs");
        Assert.Equal(1, (int)rs["replicas"]!);
        Assert.Null(rs["revisionHistoryLimit"]);
        Assert.Equal(("IfNotPresent", 30), ((string?)rs["template"]!["spec"]!["containers"]![0]!["imagePullPolicy"], (int)rs["template"]!["spec"]!["terminationGracePeriodSeconds"]!));

        // SetDefaults_DaemonSet: RollingUpdate with maxUnavailable 1 and maxSurge 0 (integers), history 10; no replicas.
        var agent = await SpecAsync("daemonset", "agent");
        Assert.Equal("""{"rollingUpdate":{"maxSurge":0,"maxUnavailable":1},"type":"RollingUpdate"}""", Sorted(agent["updateStrategy"]!));
        Assert.Equal(10, (int)agent["revisionHistoryLimit"]!);
        Assert.Null(agent["replicas"]);
        Assert.Equal("""{"type":"OnDelete"}""", Sorted((await SpecAsync("daemonset", "agent-ondelete"))["updateStrategy"]!));
    }

    [Fact]
    public async Task A_service_gets_a_cluster_ip_from_the_service_range_and_keeps_it_on_replace()
    {
        var ns = await _fixture.NewNamespaceAsync("default-svc");
        var manifest = _fixture.WriteFile("svc.yaml", $"""
            apiVersion: v1
            kind: Service
            metadata: {"{"}name: web, namespace: {ns}{"}"}
            spec:
              selector: {"{"}app: web{"}"}
              ports: [{"{"}name: http, port: 80{"}"}, {"{"}name: admin, port: 9090, targetPort: 9091{"}"}]
            """);
        await _kubectl.RunAsync("apply", "-f", manifest);

        var service = await _fixture.Client.CoreV1.ReadNamespacedServiceAsync("web", ns);
        Assert.Equal(("ClusterIP", "None", "Cluster"), (service.Spec.Type, service.Spec.SessionAffinity, service.Spec.InternalTrafficPolicy));
        Assert.StartsWith("10.", service.Spec.ClusterIP);
        var octets = service.Spec.ClusterIP.Split('.').Select(int.Parse).ToArray();
        Assert.InRange(octets[1], 96, 111); // 10.96.0.0/12
        Assert.Equal([service.Spec.ClusterIP], service.Spec.ClusterIPs);
        Assert.Equal(["IPv4"], service.Spec.IpFamilies);
        Assert.Equal("SingleStack", service.Spec.IpFamilyPolicy);
        Assert.Equal(("TCP", "80"), (service.Spec.Ports[0].Protocol, service.Spec.Ports[0].TargetPort.Value));
        Assert.Equal("9091", service.Spec.Ports[1].TargetPort.Value);

        // kubectl replace sends the manifest without the allocated IP; the server keeps it.
        await _kubectl.RunAsync("replace", "-f", manifest);
        Assert.Equal(service.Spec.ClusterIP, (await _fixture.Client.CoreV1.ReadNamespacedServiceAsync("web", ns)).Spec.ClusterIP);

        // A NodePort Service gets a node port from 30000-32767 and the Cluster external traffic policy.
        var nodePort = await _fixture.Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = Meta("edge"),
            Spec = new V1ServiceSpec { Type = "NodePort", Ports = [new V1ServicePort { Port = 443 }] },
        }, ns);
        Assert.InRange(nodePort.Spec.Ports[0].NodePort ?? 0, 30000, 32767);
        Assert.Equal("Cluster", nodePort.Spec.ExternalTrafficPolicy);
        Assert.NotEqual(service.Spec.ClusterIP, nodePort.Spec.ClusterIP);
    }

    [Fact]
    public async Task A_requested_cluster_ip_must_be_free_and_in_the_service_range()
    {
        var ns = await _fixture.NewNamespaceAsync("requested-ip");
        V1Service Service(string name, string ip) => new() { Metadata = Meta(name), Spec = new V1ServiceSpec { ClusterIP = ip, Ports = [new V1ServicePort { Port = 80 }] } };

        var taken = await _fixture.Client.CoreV1.CreateNamespacedServiceAsync(Service("first", "10.100.7.7"), ns);
        Assert.Equal(["10.100.7.7"], taken.Spec.ClusterIPs);

        var status = await ThrowsStatusAsync(System.Net.HttpStatusCode.UnprocessableEntity, "Invalid", () => _fixture.Client.CoreV1.CreateNamespacedServiceAsync(Service("second", "10.100.7.7"), ns));
        Assert.Equal("Service \"second\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.100.7.7\"}: failed to allocate IP 10.100.7.7: provided IP is already allocated", status.Message);
        status = await ThrowsStatusAsync(System.Net.HttpStatusCode.UnprocessableEntity, "Invalid", () => _fixture.Client.CoreV1.CreateNamespacedServiceAsync(Service("third", "192.168.1.1"), ns));
        Assert.EndsWith("failed to allocate IP 192.168.1.1: the provided IP (192.168.1.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12", status.Message);

        // A headless Service has no cluster IP to allocate.
        var headless = await _fixture.Client.CoreV1.CreateNamespacedServiceAsync(Service("headless", "None"), ns);
        Assert.Equal(["None"], headless.Spec.ClusterIPs);
    }

    [Fact]
    public async Task A_secrets_string_data_is_merged_into_data_and_dropped()
    {
        var ns = await _fixture.NewNamespaceAsync("default-secret");
        var manifest = _fixture.WriteFile("secret.yaml", $"""
            apiVersion: v1
            kind: Secret
            metadata: {"{"}name: token, namespace: {ns}{"}"}
            data: {"{"}kept: {Convert.ToBase64String("old"u8.ToArray())}, key: {Convert.ToBase64String("replaced"u8.ToArray())}{"}"}
            stringData: {"{"}key: s3cret{"}"}
            """);
        await _kubectl.RunAsync("apply", "-f", manifest);

        var secret = JsonNode.Parse(await _kubectl.RunAsync("get", "secret", "token", "-n", ns, "-o", "json"))!;
        Assert.Null(secret["stringData"]);
        Assert.Equal("Opaque", (string?)secret["type"]);
        Assert.Equal(Convert.ToBase64String("s3cret"u8.ToArray()), (string?)secret["data"]!["key"]);
        Assert.Equal(Convert.ToBase64String("old"u8.ToArray()), (string?)secret["data"]!["kept"]);
    }

    [Fact]
    public async Task A_pod_from_the_python_client_gets_the_pod_and_admission_defaults()
    {
        var ns = await _fixture.NewNamespaceAsync("default-pod");
        var lines = await _python.RunAsync(ns, """
            pod = client.V1Pod(metadata=client.V1ObjectMeta(name="solo"), spec=client.V1PodSpec(containers=[
                client.V1Container(name="main", image="registry.k8s.io/pause:3.9",
                    readiness_probe=client.V1Probe(http_get=client.V1HTTPGetAction(port=8080)))]))
            created = core.create_namespaced_pod(ns, pod)
            s = created.spec
            c = s.containers[0]
            out({"pull": c.image_pull_policy, "sa": s.service_account_name, "links": s.enable_service_links, "priority": s.priority,
                 "tolerations": sorted(t.key for t in s.tolerations), "probe": [c.readiness_probe.period_seconds, c.readiness_probe.http_get.path, c.readiness_probe.http_get.scheme],
                 "phase": created.status.phase, "qos": created.status.qos_class})
            """);

        var pod = lines[0]!;
        Assert.Equal("IfNotPresent", (string?)pod["pull"]);
        Assert.Equal(("default", true, 0), ((string?)pod["sa"], (bool)pod["links"]!, (int)pod["priority"]!));
        Assert.Equal(["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"], pod["tolerations"]!.AsArray().Select(t => (string?)t));
        Assert.Equal("[10,\"/\",\"HTTP\"]", pod["probe"]!.ToJsonString());
        Assert.Equal(("Pending", "BestEffort"), ((string?)pod["phase"], (string?)pod["qos"]));
    }

    /// <summary>The node as JSON with object keys in ordinal order, so the assertions do not depend on the server's key order.</summary>
    private static string Sorted(JsonNode node) => node switch
    {
        JsonObject obj => "{" + string.Join(",", obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"\"{p.Key}\":{(p.Value is null ? "null" : Sorted(p.Value))}")) + "}",
        _ => node.ToJsonString(),
    };
}
