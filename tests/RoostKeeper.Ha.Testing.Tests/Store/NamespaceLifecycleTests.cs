using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using RoostKeeper.Ha.Testing.Tests.Clients;
using Xunit.Abstractions;
using static RoostKeeper.Ha.Testing.Tests.Conformance.Conformance;

namespace RoostKeeper.Ha.Testing.Tests.Store;

/// <summary>
/// A namespace as a v1.33 cluster makes it: the default ServiceAccount, the kube-root-ca.crt ConfigMap, the
/// metadata.name label and the kubernetes finalizer; and a Terminating namespace that reports what holds it.
/// </summary>
public sealed class NamespaceLifecycleTests : IClassFixture<KubectlCluster>
{
    private readonly KubectlCluster _fixture;
    private readonly Kubectl _kubectl;
    private readonly PythonClient _python;

    public NamespaceLifecycleTests(KubectlCluster fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _kubectl = new Kubectl(fixture, output);
        _python = new PythonClient(fixture, output);
    }

    [Fact]
    public async Task A_new_namespace_has_the_default_service_account_and_the_root_ca_config_map()
    {
        var ns = $"fresh-{Guid.NewGuid():N}"[..18];
        await _kubectl.RunAsync("create", "namespace", ns);

        Assert.Equal("serviceaccount/default", (await _kubectl.RunAsync("get", "serviceaccounts", "-n", ns, "-o", "name")).Trim());
        var pem = await _kubectl.RunAsync("get", "configmap", "kube-root-ca.crt", "-n", ns, "-o", "jsonpath={.data.ca\\.crt}");
        using var ca = X509Certificate2.CreateFromPem(pem);
        Assert.Equal("CN=kubernetes", ca.Subject);
        var namespaceJson = JsonNode.Parse(await _kubectl.RunAsync("get", "namespace", ns, "-o", "json"))!;
        Assert.Equal(ns, (string?)namespaceJson["metadata"]!["labels"]!["kubernetes.io/metadata.name"]);
        Assert.Equal("""["kubernetes"]""", namespaceJson["spec"]!["finalizers"]!.ToJsonString());

        // Every namespace shares the cluster's CA; the built-in ones have them too.
        Assert.Equal(pem, (await _fixture.Client.CoreV1.ReadNamespacedConfigMapAsync("kube-root-ca.crt", "default")).Data["ca.crt"]);
        Assert.NotNull(await _fixture.Client.CoreV1.ReadNamespacedServiceAccountAsync("default", "kube-system"));
    }

    [Fact]
    public async Task A_terminating_namespace_reports_the_content_and_finalizers_that_hold_it()
    {
        var ns = await _fixture.NewNamespaceAsync("terminating");
        var held = ConfigMap("held");
        held.Metadata.Finalizers = ["example.com/hold"];
        await _fixture.Client.CoreV1.CreateNamespacedConfigMapAsync(held, ns);

        await _kubectl.RunAsync("delete", "namespace", ns, "--wait=false");

        var lines = await _python.RunAsync(ns, """
            status = core.read_namespace(ns).status
            out({"phase": status.phase, "conditions": {c.type: [c.status, c.reason, c.message] for c in status.conditions}})
            """);
        var status = lines[0]!;
        Assert.Equal("Terminating", (string?)status["phase"]);
        var conditions = status["conditions"]!;
        Assert.Equal("""["True","SomeResourcesRemain","Some resources are remaining: configmaps. has 1 resource instances"]""", conditions["NamespaceContentRemaining"]!.ToJsonString());
        Assert.Equal("""["True","SomeFinalizersRemain","Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances"]""", conditions["NamespaceFinalizersRemaining"]!.ToJsonString());
        Assert.Equal("False", (string?)conditions["NamespaceDeletionContentFailure"]![0]);

        await _kubectl.RunAsync("patch", "configmap", "held", "-n", ns, "--type=json", "-p", """[{"op":"remove","path":"/metadata/finalizers"}]""");
        Assert.True(await IsGoneAsync(() => _fixture.Client.CoreV1.ReadNamespaceAsync(ns)));
    }
}
