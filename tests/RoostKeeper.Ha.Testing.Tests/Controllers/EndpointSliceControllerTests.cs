using k8s;
using k8s.Models;
using RoostKeeper.Ha.Testing;
using static RoostKeeper.Ha.TestUtilities.ControllerTestKit;

namespace RoostKeeper.Ha.Testing.Tests.Controllers;

public sealed class EndpointSliceControllerTests
{
    /// <summary>The Service's one slice, or an empty stand-in before the controller has made it.</summary>
    private static async Task<V1EndpointSlice> SliceAsync(IKubernetes client, string ns, string service)
    {
        var slices = (await client.DiscoveryV1.ListNamespacedEndpointSliceAsync(ns, labelSelector: $"kubernetes.io/service-name={service}")).Items;
        Assert.True(slices.Count <= 1, $"expected one EndpointSlice for {service}, found {slices.Count}");
        return slices.SingleOrDefault() ?? new V1EndpointSlice { AddressType = "", Endpoints = [] };
    }

    [SimulatedOnlyFact("simulated EndpointSlice controller")]
    public async Task Endpoint_slice_follows_the_readiness_and_lifetime_of_selected_pods()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var service = await client.CoreV1.CreateNamespacedServiceAsync(
            new V1Service
            {
                Metadata = new V1ObjectMeta { Name = "roost" },
                Spec = new V1ServiceSpec
                {
                    Selector = new Dictionary<string, string> { ["app"] = "roost" },
                    Ports = [new V1ServicePort { Name = "web", Port = 80, TargetPort = "http" }],
                },
            },
            ns);
        await client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("roost", "roost:v1", 2), ns);

        var slice = await WaitForAsync(
            () => SliceAsync(client, ns, "roost"),
            s => s.Endpoints?.Count == 2 && s.Endpoints.All(e => e.Conditions.Ready == true),
            "two ready endpoints");
        Assert.StartsWith("roost-", slice.Metadata.Name);
        Assert.Equal("IPv4", slice.AddressType);
        var port = Assert.Single(slice.Ports);
        Assert.Equal(("web", 8080), (port.Name, port.Port));
        Assert.Equal(service.Metadata.Uid, slice.Metadata.OwnerReferences.Single(r => r.Controller == true).Uid);
        var pods = await PodsAsync(client, ns, "roost");
        Assert.Equal(
            pods.Select(p => (p.Metadata.Name, p.Status.PodIP)).Order(),
            slice.Endpoints.Select(e => (e.TargetRef.Name, e.Addresses.Single())).Order());

        cluster.Simulation.Images.Set("roost:v1", ImageHealth.NeverReady);
        slice = await WaitForAsync(
            () => SliceAsync(client, ns, "roost"),
            s => s.Endpoints?.Count == 2 && s.Endpoints.All(e => e.Conditions.Ready == false),
            "endpoints to turn unready");
        Assert.All(slice.Endpoints, e => Assert.False(e.Conditions.Terminating ?? false));

        cluster.Simulation.Images.Set("roost:v1", ImageHealth.Healthy);
        await ScaleAsync(client, ns, "roost", 1);
        slice = await WaitForAsync(
            () => SliceAsync(client, ns, "roost"),
            s => s.Endpoints?.Count == 1 && s.Endpoints[0].Conditions.Ready == true,
            "one ready endpoint after scale-down");

        await client.CoreV1.DeleteNamespacedServiceAsync("roost", ns);
        await WaitForAsync(
            async () => (await client.DiscoveryV1.ListNamespacedEndpointSliceAsync(ns)).Items,
            s => s.Count == 0,
            "the slice to go with its Service");
    }

    [SimulatedOnlyFact("simulated EndpointSlice controller")]
    public async Task Pod_held_by_a_finalizer_while_deleting_is_a_terminating_endpoint()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await client.CoreV1.CreateNamespacedServiceAsync(
            new V1Service
            {
                Metadata = new V1ObjectMeta { Name = "roost" },
                Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "roost" }, Ports = [new V1ServicePort { Port = 80 }] },
            },
            ns);
        await client.CoreV1.CreateNamespacedPodAsync(
            new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = "held", Labels = new Dictionary<string, string> { ["app"] = "roost" }, Finalizers = ["roost.birb.party/hold"] },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "roost", Image = "roost:v1" }] },
            },
            ns);
        await WaitForAsync(() => SliceAsync(client, ns, "roost"), s => s.Endpoints?.SingleOrDefault()?.Conditions.Ready == true, "a ready endpoint");

        await client.CoreV1.DeleteNamespacedPodAsync("held", ns);

        var slice = await WaitForAsync(() => SliceAsync(client, ns, "roost"), s => s.Endpoints?.SingleOrDefault()?.Conditions.Terminating == true, "a terminating endpoint");
        var conditions = slice.Endpoints[0].Conditions;
        Assert.Equal((false, true), (conditions.Ready, conditions.Serving));
        Assert.Equal(80, slice.Ports.Single().Port);
    }
}
