using k8s;
using k8s.Models;
using RoostKeeper.Ha.Testing.Tests.Clients;
using Xunit.Abstractions;
using static RoostKeeper.Ha.TestUtilities.ControllerTestKit;

namespace RoostKeeper.Ha.Testing.Tests.Controllers;

/// <summary>
/// The Events the simulated Deployment and ReplicaSet controllers record, read back through the API and
/// through the real kubectl (<c>kubectl events</c>, <c>kubectl describe</c>) as on a real cluster.
/// </summary>
public sealed class ControllerEventsTests : IClassFixture<KubectlCluster>
{
    private readonly KubectlCluster _fixture;
    private readonly Kubectl _kubectl;

    public ControllerEventsTests(KubectlCluster fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _kubectl = new Kubectl(fixture, output);
    }

    private IKubernetes Client => _fixture.Client;

    [Fact]
    public async Task A_new_deployment_records_scaling_up_and_each_created_pod_as_kubectl_shows_them()
    {
        var ns = await _fixture.NewNamespaceAsync("events-up");
        await _kubectl.RunAsync("apply", "-f", _fixture.WriteFile("d.yaml", Manifests.Deployment(ns, "web", replicas: 2)));
        await WaitForRolloutAsync(Client, ns, "web");
        var rs = Assert.Single(await ReplicaSetsAsync(Client, ns, "web"));
        var pods = await PodsAsync(Client, ns, "web");
        var events = await WaitForAsync(
            () => EventsAsync(ns),
            e => e.Count(x => x.Reason == "SuccessfulCreate") == 2,
            "the ReplicaSet controller's two SuccessfulCreate events");

        var scaling = Assert.Single(events, e => e.Reason == "ScalingReplicaSet");
        Assert.Equal($"Scaled up replica set {rs.Metadata.Name} from 0 to 2", scaling.Message);
        Assert.Equal("Normal", scaling.Type);
        Assert.Equal("deployment-controller", scaling.Source.Component);
        Assert.Equal("deployment-controller", scaling.ReportingComponent);
        Assert.Equal(1, scaling.Count);
        Assert.NotNull(scaling.FirstTimestamp);
        Assert.Equal(scaling.FirstTimestamp, scaling.LastTimestamp);
        Assert.Equal(("Deployment", "apps/v1", "web", ns), (scaling.InvolvedObject.Kind, scaling.InvolvedObject.ApiVersion, scaling.InvolvedObject.Name, scaling.InvolvedObject.NamespaceProperty));
        var deployment = await Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        Assert.Equal(deployment.Metadata.Uid, scaling.InvolvedObject.Uid);
        Assert.StartsWith("web.", scaling.Metadata.Name, StringComparison.Ordinal);

        var created = events.Where(e => e.Reason == "SuccessfulCreate").ToList();
        Assert.Equal(pods.Select(p => $"Created pod: {p.Metadata.Name}").Order(), created.Select(e => e.Message).Order());
        Assert.All(created, e =>
        {
            Assert.Equal("replicaset-controller", e.Source.Component);
            Assert.Equal(("ReplicaSet", rs.Metadata.Uid), (e.InvolvedObject.Kind, e.InvolvedObject.Uid));
        });

        var listed = await _kubectl.RunAsync("events", "-n", ns);
        Assert.Contains($"Scaled up replica set {rs.Metadata.Name} from 0 to 2", listed);
        Assert.Contains($"Created pod: {pods[0].Metadata.Name}", listed);
        Assert.Contains("Deployment/web", listed);
        Assert.Contains($"ReplicaSet/{rs.Metadata.Name}", listed);

        var described = await _kubectl.RunAsync("describe", "deployment", "web", "-n", ns);
        Assert.Contains("ScalingReplicaSet", described);
        Assert.Contains($"Scaled up replica set {rs.Metadata.Name} from 0 to 2", described);
        Assert.DoesNotContain("Created pod", described);
        Assert.Contains($"Created pod: {pods[1].Metadata.Name}", await _kubectl.RunAsync("describe", "replicaset", rs.Metadata.Name, "-n", ns));
        Assert.Empty(_fixture.Cluster.Errors);
    }

    [Fact]
    public async Task Scaling_down_records_the_deleted_pods_and_the_same_event_again_counts_up()
    {
        var ns = await _fixture.NewNamespaceAsync("events-down");
        await _kubectl.RunAsync("apply", "-f", _fixture.WriteFile("d.yaml", Manifests.Deployment(ns, "web", replicas: 2)));
        await WaitForRolloutAsync(Client, ns, "web");
        var rs = Assert.Single(await ReplicaSetsAsync(Client, ns, "web")).Metadata.Name;
        var before = (await PodsAsync(Client, ns, "web")).Select(p => p.Metadata.Name).ToList();

        await _kubectl.RunAsync("scale", "deployment/web", "-n", ns, "--replicas=1");
        var events = await WaitForAsync(() => EventsAsync(ns), e => e.Any(x => x.Reason == "SuccessfulDelete"), "a SuccessfulDelete event");
        var deleted = Assert.Single(events, e => e.Reason == "SuccessfulDelete");
        var gone = deleted.Message["Deleted pod: ".Length..];
        Assert.StartsWith("Deleted pod: ", deleted.Message, StringComparison.Ordinal);
        Assert.Contains(gone, before);
        await WaitForAsync(() => PodsAsync(Client, ns, "web"), p => p.All(x => x.Metadata.Name != gone), $"pod {gone} to go");
        Assert.Equal("replicaset-controller", deleted.Source.Component);
        var down = Assert.Single(events, e => e.Message == $"Scaled down replica set {rs} from 2 to 1");
        Assert.Equal(1, down.Count);

        // 1 -> 2 -> 1 again: the second "Scaled down ... from 2 to 1" is the same event with count 2.
        await _kubectl.RunAsync("scale", "deployment/web", "-n", ns, "--replicas=2");
        await WaitForAsync(() => EventsAsync(ns), e => e.Any(x => x.Message == $"Scaled up replica set {rs} from 1 to 2"), "the second scale-up");
        await _kubectl.RunAsync("scale", "deployment/web", "-n", ns, "--replicas=1");
        events = await WaitForAsync(
            () => EventsAsync(ns),
            e => e.Any(x => x.Message == $"Scaled down replica set {rs} from 2 to 1" && x.Count == 2),
            "the repeated scale-down to count 2");
        var repeated = Assert.Single(events, e => e.Message == $"Scaled down replica set {rs} from 2 to 1");
        Assert.Equal(down.Metadata.Name, repeated.Metadata.Name);
        Assert.Equal(down.FirstTimestamp, repeated.FirstTimestamp);

        var described = await _kubectl.RunAsync("describe", "deployment", "web", "-n", ns);
        Assert.Contains($"Scaled down replica set {rs} from 2 to 1", described);
        Assert.Contains($"Deleted pod: {gone}", await _kubectl.RunAsync("events", "-n", ns));
        Assert.Empty(_fixture.Cluster.Errors);
    }

    [Fact]
    public async Task A_deployment_deleted_with_its_namespace_leaves_no_controller_error()
    {
        var ns = await _fixture.NewNamespaceAsync("events-gone");
        await _kubectl.RunAsync("apply", "-f", _fixture.WriteFile("d.yaml", Manifests.Deployment(ns, "web", replicas: 3)));

        // The controllers may still be recording while the namespace terminates: the refused Events are dropped.
        await Client.CoreV1.DeleteNamespaceAsync(ns);
        await WaitForAsync(
            async () => (await Client.CoreV1.ListNamespaceAsync()).Items.Select(n => n.Metadata.Name).ToList(),
            names => !names.Contains(ns),
            $"namespace {ns} to go");
        Assert.Empty(_fixture.Cluster.Errors);
    }

    private async Task<IList<Corev1Event>> EventsAsync(string ns) => (await Client.CoreV1.ListNamespacedEventAsync(ns)).Items;
}
