using k8s;
using k8s.Models;
using Xunit.Abstractions;

namespace RoostKeeper.Ha.Testing.Tests.Clients;

/// <summary>
/// kubectl's server dry runs (apply, create, delete, diff) against SimulatedCluster: the answer shows the
/// result, and nothing is stored, no resourceVersion moves and the request log counts no persisted write.
/// </summary>
public sealed class KubectlDryRunTests : IClassFixture<KubectlCluster>
{
    // kubectl sends no client-name header, so the simulator counts its requests as "anonymous".
    private const string KubectlClient = "anonymous";

    private readonly KubectlCluster _fixture;
    private readonly Kubectl _kubectl;

    public KubectlDryRunTests(KubectlCluster fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _kubectl = new Kubectl(fixture, output);
    }

    [Fact]
    public async Task Apply_dry_run_server_shows_the_change_and_stores_nothing()
    {
        var ns = await _fixture.NewNamespaceAsync("dry-apply");
        await _kubectl.RunAsync("apply", "-f", _fixture.WriteFile("cm.yaml", Manifests.ConfigMap(ns, "settings", "one")));
        var before = await _fixture.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        var writes = _fixture.Cluster.Requests.CountPersistedWrites(KubectlClient);

        var answer = await _kubectl.RunAsync("apply", "--dry-run=server", "-f", _fixture.WriteFile("cm.yaml", Manifests.ConfigMap(ns, "settings", "two")), "-o", "jsonpath={.data.key}");
        Assert.Equal("two", answer);
        var created = await _kubectl.RunAsync("apply", "--dry-run=server", "-f", _fixture.WriteFile("cm.yaml", Manifests.ConfigMap(ns, "other", "x")));
        Assert.Contains("(server dry run)", created);

        var after = await _fixture.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        Assert.Equal("one", after.Data["key"]);
        Assert.Equal(before.Metadata.ResourceVersion, after.Metadata.ResourceVersion);
        Assert.DoesNotContain((await _fixture.Client.CoreV1.ListNamespacedConfigMapAsync(ns)).Items, c => c.Metadata.Name == "other");
        Assert.Equal(writes, _fixture.Cluster.Requests.CountPersistedWrites(KubectlClient));
        Assert.True(_fixture.Cluster.Requests.CountDryRuns(KubectlClient) >= 2);
    }

    [Fact]
    public async Task Diff_shows_the_change_and_stores_nothing()
    {
        var ns = await _fixture.NewNamespaceAsync("dry-diff");
        await _kubectl.RunAsync("apply", "-f", _fixture.WriteFile("cm.yaml", Manifests.ConfigMap(ns, "settings", "one")));
        var before = await _fixture.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);

        // kubectl diff exits 1 when there is a difference.
        var diff = await _kubectl.TryRunAsync("diff", "-f", _fixture.WriteFile("cm.yaml", Manifests.ConfigMap(ns, "settings", "two")));
        Assert.Equal(1, diff.ExitCode);
        Assert.Contains("-  key: one", diff.Stdout);
        Assert.Contains("+  key: two", diff.Stdout);

        var after = await _fixture.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        Assert.Equal("one", after.Data["key"]);
        Assert.Equal(before.Metadata.ResourceVersion, after.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Create_and_delete_dry_run_server_leave_the_namespace_as_it_was()
    {
        var ns = await _fixture.NewNamespaceAsync("dry-delete");
        await _kubectl.RunAsync("apply", "-f", _fixture.WriteFile("cm.yaml", Manifests.ConfigMap(ns, "settings", "one")));
        var before = await _fixture.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);

        Assert.Contains("(server dry run)", await _kubectl.RunAsync("create", "configmap", "fresh", "-n", ns, "--from-literal=a=b", "--dry-run=server"));
        Assert.Contains("(server dry run)", await _kubectl.RunAsync("delete", "configmap", "settings", "-n", ns, "--dry-run=server"));
        Assert.Contains("(server dry run)", await _kubectl.RunAsync("delete", "namespace", ns, "--dry-run=server"));

        var items = (await _fixture.Client.CoreV1.ListNamespacedConfigMapAsync(ns)).Items.Where(i => i.Metadata.Name != "kube-root-ca.crt"); // every namespace has it
        Assert.Equal(before.Metadata.ResourceVersion, Assert.Single(items).Metadata.ResourceVersion);
        Assert.Equal("Active", (await _fixture.Client.CoreV1.ReadNamespaceAsync(ns)).Status.Phase);
    }

    [Fact]
    public async Task Scale_dry_run_server_answers_the_new_replicas_and_keeps_the_old()
    {
        var ns = await _fixture.NewNamespaceAsync("dry-scale");
        await _kubectl.RunAsync("apply", "-f", _fixture.WriteFile("d.yaml", Manifests.Deployment(ns, "web", replicas: 1)));

        await _kubectl.RunAsync("scale", "deployment/web", "-n", ns, "--replicas=4", "--dry-run=server");

        Assert.Equal(1, (await _fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns)).Spec.Replicas);
    }
}
