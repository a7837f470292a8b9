using System.Net;
using k8s;
using k8s.Models;
using RoostKeeper.Ha.Testing.Tests.Clients;
using Xunit.Abstractions;
using static RoostKeeper.Ha.Testing.Tests.Conformance.Conformance;

namespace RoostKeeper.Ha.Testing.Tests.Admission;

/// <summary>
/// Metadata validation as a v1.33 API server does it for every kind (apimachinery's ValidateObjectMeta): the
/// kind's name rule, label keys and values, annotation size, finalizers; 422 with the server's message and a
/// cause per field.
/// </summary>
public sealed class ObjectMetaValidationTests : IClassFixture<KubectlCluster>
{
    private const string SubdomainRule = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    private readonly KubectlCluster _fixture;
    private readonly Kubectl _kubectl;

    public ObjectMetaValidationTests(KubectlCluster fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _kubectl = new Kubectl(fixture, output);
    }

    [Fact]
    public async Task A_bad_label_value_from_kubectl_patch_is_refused_with_the_servers_message()
    {
        var ns = await _fixture.NewNamespaceAsync("meta-label");
        await _fixture.Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), ns);

        // kubectl label checks the value itself; a patch leaves it to the server.
        var result = await _kubectl.TryRunAsync("patch", "configmap", "settings", "-n", ns, "--type=merge", "-p", """{"metadata":{"labels":{"tier":"not valid!"}}}""");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("The ConfigMap \"settings\" is invalid: metadata.labels: Invalid value: \"not valid!\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')", result.Stderr);
        Assert.Null((await _fixture.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns)).Metadata.Labels);
    }

    [Fact]
    public async Task A_bad_label_key_and_an_invalid_name_are_both_reported_with_causes()
    {
        var ns = await _fixture.NewNamespaceAsync("meta-key");
        var bad = new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "Settings", Labels = new Dictionary<string, string> { ["a/b/c"] = "x" } } };

        var status = await ThrowsStatusAsync(HttpStatusCode.UnprocessableEntity, "Invalid", () => _fixture.Client.CoreV1.CreateNamespacedConfigMapAsync(bad, ns));

        Assert.StartsWith("ConfigMap \"Settings\" is invalid: [metadata.name: Invalid value: \"Settings\": " + SubdomainRule + ", metadata.labels: Invalid value: \"a/b/c\": a qualified name must consist of", status.Message);
        Assert.Equal(["metadata.name", "metadata.labels"], status.Details.Causes.Select(c => c.Field));
        Assert.All(status.Details.Causes, c => Assert.Equal("FieldValueInvalid", c.Reason));
        Assert.Equal("ConfigMap", status.Details.Kind);
    }

    [Fact]
    public async Task Annotations_over_256_KiB_in_total_are_too_long()
    {
        var ns = await _fixture.NewNamespaceAsync("meta-annotations");
        var big = new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "big", Annotations = new Dictionary<string, string> { ["a"] = new string('x', 200 * 1024), ["b"] = new string('y', 60 * 1024) } },
        };

        var status = await ThrowsStatusAsync(HttpStatusCode.UnprocessableEntity, "Invalid", () => _fixture.Client.CoreV1.CreateNamespacedConfigMapAsync(big, ns));

        Assert.Equal("ConfigMap \"big\" is invalid: metadata.annotations: Too long: must have at most 262144 bytes", status.Message);
        big.Metadata.Annotations["b"] = new string('y', (56 * 1024) - 2);
        await _fixture.Client.CoreV1.CreateNamespacedConfigMapAsync(big, ns); // exactly the limit is allowed
    }

    [Fact]
    public async Task No_new_finalizer_may_be_added_to_an_object_being_deleted_but_one_may_be_removed()
    {
        var ns = await _fixture.NewNamespaceAsync("meta-finalizers");
        var held = ConfigMap("held");
        held.Metadata.Finalizers = ["example.com/hold"];
        await _fixture.Client.CoreV1.CreateNamespacedConfigMapAsync(held, ns);
        await _fixture.Client.CoreV1.DeleteNamespacedConfigMapAsync("held", ns);

        var result = await _kubectl.TryRunAsync("patch", "configmap", "held", "-n", ns, "--type=json", "-p", """[{"op":"add","path":"/metadata/finalizers/-","value":"example.com/late"}]""");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"example.com/late\"}", result.Stderr);
        await _kubectl.RunAsync("patch", "configmap", "held", "-n", ns, "--type=json", "-p", """[{"op":"remove","path":"/metadata/finalizers/0"}]""");
        Assert.True(await IsGoneAsync(() => _fixture.Client.CoreV1.ReadNamespacedConfigMapAsync("held", ns)));
    }

    [Fact]
    public async Task Each_kind_has_its_own_name_rule()
    {
        var ns = await _fixture.NewNamespaceAsync("meta-names");

        // Services are DNS-1035 labels: no leading digit, no dots.
        var service = new V1Service { Metadata = Meta("1web"), Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 80 }] } };
        var status = await ThrowsStatusAsync(HttpStatusCode.UnprocessableEntity, "Invalid", () => _fixture.Client.CoreV1.CreateNamespacedServiceAsync(service, ns));
        Assert.StartsWith("Service \"1web\" is invalid: metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character", status.Message);

        // A namespace is a DNS-1123 label: dots are not allowed.
        status = await ThrowsStatusAsync(HttpStatusCode.UnprocessableEntity, "Invalid",
            () => _fixture.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = Meta("with.dot") }));
        Assert.Equal("Namespace \"with.dot\" is invalid: metadata.name: Invalid value: \"with.dot\": must not contain dots", status.Message);

        // RBAC names are path segments, so the system roles' colons are fine.
        await _fixture.Client.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole { Metadata = Meta("system:example:reader") });
        status = await ThrowsStatusAsync(HttpStatusCode.UnprocessableEntity, "Invalid",
            () => _fixture.Client.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole { Metadata = Meta("a/b") }));
        Assert.Equal("ClusterRole.rbac.authorization.k8s.io \"a/b\" is invalid: metadata.name: Invalid value: \"a/b\": may not contain '/'", status.Message);
    }
}
