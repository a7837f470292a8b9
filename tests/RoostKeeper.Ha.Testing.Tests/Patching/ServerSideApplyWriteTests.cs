using System.Net;
using System.Text;
using k8s;
using RoostKeeper.Ha.Testing.Tests.Clients;
using Xunit.Abstractions;

namespace RoostKeeper.Ha.Testing.Tests.Patching;

/// <summary>
/// Server-side apply as a v1.33 server writes it: an identical re-apply writes nothing (same resourceVersion,
/// no watch event; new managedFields timestamps are not a change), and the body may be YAML.
/// </summary>
public sealed class ServerSideApplyWriteTests : IClassFixture<KubectlCluster>
{
    private readonly KubectlCluster _fixture;
    private readonly Kubectl _kubectl;

    public ServerSideApplyWriteTests(KubectlCluster fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _kubectl = new Kubectl(fixture, output);
    }

    [Fact]
    public async Task An_identical_server_side_re_apply_writes_nothing()
    {
        var ns = await _fixture.NewNamespaceAsync("ssa-noop");
        var manifest = _fixture.WriteFile("cm.yaml", Manifests.ConfigMap(ns, "settings", "one"));
        await _kubectl.RunAsync("apply", "--server-side", "-f", manifest);
        var first = await _fixture.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        var clusterVersion = _fixture.Cluster.ResourceVersion;

        // The timestamps have second precision: let one pass, so that a naive server would see a new time.
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        await _kubectl.RunAsync("apply", "--server-side", "-f", manifest);

        var second = await _fixture.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        Assert.Equal(first.Metadata.ResourceVersion, second.Metadata.ResourceVersion);
        Assert.Equal(clusterVersion, _fixture.Cluster.ResourceVersion); // nothing at all was written
        Assert.Equal(first.Metadata.ManagedFields.Single().Time, second.Metadata.ManagedFields.Single().Time);

        // A real change is still written.
        await _kubectl.RunAsync("apply", "--server-side", "-f", _fixture.WriteFile("cm.yaml", Manifests.ConfigMap(ns, "settings", "two")));
        Assert.NotEqual(first.Metadata.ResourceVersion, (await _fixture.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns)).Metadata.ResourceVersion);
    }

    [Fact]
    public async Task An_apply_body_may_be_yaml()
    {
        var ns = await _fixture.NewNamespaceAsync("ssa-yaml");
        using var http = new HttpClient { BaseAddress = _fixture.Cluster.BaseAddress };
        var yaml = $"""
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: from-yaml
              namespace: {ns}
              labels: {"{"}tier: edge{"}"}
            data:
              quoted: "yes"
              plain: text
            immutable: no
            """;
        using var body = new StringContent(yaml, Encoding.UTF8);
        body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/apply-patch+yaml");

        using var response = await http.PatchAsync($"api/v1/namespaces/{ns}/configmaps/from-yaml?fieldManager=yaml-test", body);

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync() + string.Join("\n", _fixture.Cluster.Errors));
        var stored = await _fixture.Client.CoreV1.ReadNamespacedConfigMapAsync("from-yaml", ns);
        Assert.Equal(("yes", "text", "edge"), (stored.Data["quoted"], stored.Data["plain"], stored.Metadata.Labels["tier"]));
        Assert.False(stored.Immutable); // YAML 1.1's "no", as the server's YAML reader takes it
        Assert.Equal("yaml-test", stored.Metadata.ManagedFields.Single().Manager);
    }
}
