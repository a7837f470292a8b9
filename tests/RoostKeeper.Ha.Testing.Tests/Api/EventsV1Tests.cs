using System.Net;
using k8s;
using k8s.Models;
using RoostKeeper.Ha.Testing.Tests.Clients;
using Xunit.Abstractions;
using static RoostKeeper.Ha.Testing.Tests.Conformance.Conformance;

namespace RoostKeeper.Ha.Testing.Tests.Api;

/// <summary>
/// events.k8s.io/v1 Events are the core/v1 Events, converted both ways as the real server converts them:
/// what one group writes the other reads, lists, watches and selects (with that group's field labels).
/// </summary>
public sealed class EventsV1Tests : IClassFixture<KubectlCluster>
{
    private readonly KubectlCluster _fixture;
    private readonly Kubectl _kubectl;

    public EventsV1Tests(KubectlCluster fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _kubectl = new Kubectl(fixture, output);
    }

    private IKubernetes Client => _fixture.Client;

    [Fact]
    public async Task The_controllers_core_events_are_listed_through_events_k8s_io()
    {
        var ns = await _fixture.NewNamespaceAsync("ev1-controllers");
        await _kubectl.RunAsync("create", "deployment", "web", "-n", ns, "--image=nginx:1.27", "--replicas=1");
        await EventuallyAsync(async () => (await Client.EventsV1.ListNamespacedEventAsync(ns)).Items.Any(e => e.Reason == "SuccessfulCreate"), "the ReplicaSet's event through events.k8s.io");

        var scaling = Assert.Single((await Client.EventsV1.ListNamespacedEventAsync(ns, fieldSelector: "regarding.kind=Deployment,reason=ScalingReplicaSet")).Items);
        Assert.Equal(("events.k8s.io/v1", "deployment-controller", "Deployment", "web"), (scaling.ApiVersion, scaling.ReportingController, scaling.Regarding.Kind, scaling.Regarding.Name));
        Assert.StartsWith("Scaled up replica set web-", scaling.Note, StringComparison.Ordinal);
        Assert.Equal(("deployment-controller", 1), (scaling.DeprecatedSource.Component, scaling.DeprecatedCount));
        Assert.Single((await Client.EventsV1.ListNamespacedEventAsync(ns, fieldSelector: "reportingController=replicaset-controller")).Items);

        // The same object through both groups: one name, one resourceVersion.
        var core = await Client.CoreV1.ReadNamespacedEventAsync(scaling.Metadata.Name, ns);
        Assert.Equal((scaling.Metadata.ResourceVersion, scaling.Note), (core.Metadata.ResourceVersion, core.Message));
        Assert.Contains("ScalingReplicaSet", await _kubectl.RunAsync("get", "events.v1.events.k8s.io", "-n", ns), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_event_written_through_events_k8s_io_is_a_core_event_and_is_watched_and_patched_there()
    {
        var ns = await _fixture.NewNamespaceAsync("ev1-write");
        var start = (await Client.EventsV1.ListNamespacedEventAsync(ns)).Metadata.ResourceVersion;
        using var cts = new CancellationTokenSource(Patience);
        var watched = Task.Run(async () =>
        {
            await foreach (var (type, e) in Client.EventsV1.WatchListNamespacedEventAsync(ns, resourceVersion: start, cancellationToken: cts.Token))
            {
                return (type, e.ApiVersion, e.Note);
            }

            return default;
        });

        await Client.EventsV1.CreateNamespacedEventAsync(new Eventsv1Event
        {
            Metadata = new V1ObjectMeta { Name = "roost.1" },
            EventTime = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc),
            ReportingController = "example.com/roost",
            ReportingInstance = "roost-0",
            Action = "Elect",
            Reason = "Elected",
            Type = "Normal",
            Note = "replica roost-0 leads",
            Regarding = new V1ObjectReference { Kind = "Lease", Name = "roost", NamespaceProperty = ns },
        }, ns);

        Assert.Equal((WatchEventType.Added, "events.k8s.io/v1", "replica roost-0 leads"), await watched);
        var core = await Client.CoreV1.ReadNamespacedEventAsync("roost.1", ns);
        Assert.Equal(("replica roost-0 leads", "example.com/roost", "Lease", "Elect"), (core.Message, core.ReportingComponent, core.InvolvedObject.Kind, core.Action));
        Assert.Single((await Client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: "involvedObject.kind=Lease")).Items);

        var patched = await Client.EventsV1.PatchNamespacedEventAsync(new V1Patch("""{"note":"replica roost-0 still leads"}""", V1Patch.PatchType.MergePatch), "roost.1", ns);
        Assert.Equal("replica roost-0 still leads", patched.Note);
        Assert.Equal("replica roost-0 still leads", (await Client.CoreV1.ReadNamespacedEventAsync("roost.1", ns)).Message);
    }

    [Fact]
    public async Task Core_field_labels_are_not_events_k8s_io_labels()
    {
        var ns = await _fixture.NewNamespaceAsync("ev1-labels");

        var status = await ThrowsStatusAsync(HttpStatusCode.BadRequest, "BadRequest", () => Client.EventsV1.ListNamespacedEventAsync(ns, fieldSelector: "involvedObject.kind=Pod"));
        Assert.Equal("field label not supported: involvedObject.kind", status.Message);
        await ThrowsStatusAsync(HttpStatusCode.BadRequest, "BadRequest", () => Client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: "regarding.kind=Pod"));
    }
}
