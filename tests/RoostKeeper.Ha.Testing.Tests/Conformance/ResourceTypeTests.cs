using System.Net;
using k8s;
using k8s.Models;
using static RoostKeeper.Ha.Testing.Tests.Conformance.Conformance;

namespace RoostKeeper.Ha.Testing.Tests.Conformance;

/// <summary>Every group/version/resource a controller uses round-trips through KubernetesClient's typed clients.</summary>
public sealed class ResourceTypeTests
{
    [Fact]
    public async Task Namespaces_are_cluster_scoped_and_round_trip()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();

        var read = await client.CoreV1.ReadNamespaceAsync(ns);
        Assert.Null(read.Metadata.NamespaceProperty);
        Assert.Equal("Active", read.Status.Phase);
        var all = await client.CoreV1.ListNamespaceAsync();
        Assert.Contains(all.Items, n => n.Metadata.Name == ns);
        Assert.Contains(all.Items, n => n.Metadata.Name == "default");

        read.Metadata.Labels = new Dictionary<string, string> { ["roost"] = "yes" };
        var replaced = await client.CoreV1.ReplaceNamespaceAsync(read, ns);
        Assert.Equal("yes", replaced.Metadata.Labels["roost"]);
    }

    [Fact]
    public async Task ConfigMaps_round_trip()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await RoundTripAsync(
            () => client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cm"), ns),
            () => client.CoreV1.ReadNamespacedConfigMapAsync("cm", ns),
            async () => (await client.CoreV1.ListNamespacedConfigMapAsync(ns)).Items,
            o => client.CoreV1.ReplaceNamespacedConfigMapAsync(o, "cm", ns),
            () => client.CoreV1.DeleteNamespacedConfigMapAsync("cm", ns));
    }

    [Fact]
    public async Task Secrets_round_trip_with_base64_data()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var secret = new V1Secret { Metadata = Meta("s"), Type = "Opaque", Data = new Dictionary<string, byte[]> { ["key"] = [1, 2, 3, 250] } };
        await RoundTripAsync(
            () => client.CoreV1.CreateNamespacedSecretAsync(secret, ns),
            () => client.CoreV1.ReadNamespacedSecretAsync("s", ns),
            async () => (await client.CoreV1.ListNamespacedSecretAsync(ns)).Items,
            o => client.CoreV1.ReplaceNamespacedSecretAsync(o, "s", ns),
            () => client.CoreV1.DeleteNamespacedSecretAsync("s", ns));
        var again = await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = Meta("s2"), Data = secret.Data }, ns);
        Assert.Equal(new byte[] { 1, 2, 3, 250 }, (await client.CoreV1.ReadNamespacedSecretAsync("s2", ns)).Data["key"]);
        Assert.NotNull(again.Metadata.Uid);
    }

    [Fact]
    public async Task Pods_round_trip()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var pod = new V1Pod { Metadata = Meta("p"), Spec = PodSpec(("main", "registry.k8s.io/pause:3.9")) };
        await RoundTripAsync(
            () => client.CoreV1.CreateNamespacedPodAsync(pod, ns),
            () => client.CoreV1.ReadNamespacedPodAsync("p", ns),
            async () => (await client.CoreV1.ListNamespacedPodAsync(ns)).Items,
            o => client.CoreV1.ReplaceNamespacedPodAsync(o, "p", ns),
            () => client.CoreV1.DeleteNamespacedPodAsync("p", ns, gracePeriodSeconds: 0),
            o => Assert.Equal("registry.k8s.io/pause:3.9", o.Spec.Containers.Single().Image));
    }

    [Fact]
    public async Task Services_round_trip()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var service = new V1Service
        {
            Metadata = Meta("svc"),
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "roost" }, Ports = [new V1ServicePort { Port = 80, TargetPort = 8080 }] },
        };
        await RoundTripAsync(
            () => client.CoreV1.CreateNamespacedServiceAsync(service, ns),
            () => client.CoreV1.ReadNamespacedServiceAsync("svc", ns),
            async () => (await client.CoreV1.ListNamespacedServiceAsync(ns)).Items,
            o => client.CoreV1.ReplaceNamespacedServiceAsync(o, "svc", ns),
            () => client.CoreV1.DeleteNamespacedServiceAsync("svc", ns),
            o => Assert.Equal(80, o.Spec.Ports.Single().Port));
    }

    [Fact]
    public async Task Events_round_trip()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var ev = new Corev1Event
        {
            Metadata = Meta("roost.1"),
            InvolvedObject = new V1ObjectReference { Kind = "ConfigMap", Name = "cm", NamespaceProperty = ns, ApiVersion = "v1" },
            Reason = "Tested",
            Message = "conformance",
            Type = "Normal",
            Source = new V1EventSource { Component = "roostha-tests" },
        };
        await RoundTripAsync(
            () => client.CoreV1.CreateNamespacedEventAsync(ev, ns),
            () => client.CoreV1.ReadNamespacedEventAsync("roost.1", ns),
            async () => (await client.CoreV1.ListNamespacedEventAsync(ns)).Items,
            o => client.CoreV1.ReplaceNamespacedEventAsync(o, "roost.1", ns),
            () => client.CoreV1.DeleteNamespacedEventAsync("roost.1", ns),
            o => Assert.Equal("Tested", o.Reason));
    }

    [Fact]
    public async Task Deployments_round_trip()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await RoundTripAsync(
            () => client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web"), ns),
            () => client.AppsV1.ReadNamespacedDeploymentAsync("web", ns),
            async () => (await client.AppsV1.ListNamespacedDeploymentAsync(ns)).Items,
            o => client.AppsV1.ReplaceNamespacedDeploymentAsync(o, "web", ns),
            () => client.AppsV1.DeleteNamespacedDeploymentAsync("web", ns),
            o => Assert.Equal(1, o.Metadata.Generation));
    }

    [Fact]
    public async Task ReplicaSets_round_trip()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var d = Deployment("rs");
        var rs = new V1ReplicaSet { Metadata = Meta("rs"), Spec = new V1ReplicaSetSpec { Replicas = 0, Selector = d.Spec.Selector, Template = d.Spec.Template } };
        await RoundTripAsync(
            () => client.AppsV1.CreateNamespacedReplicaSetAsync(rs, ns),
            () => client.AppsV1.ReadNamespacedReplicaSetAsync("rs", ns),
            async () => (await client.AppsV1.ListNamespacedReplicaSetAsync(ns)).Items,
            o => client.AppsV1.ReplaceNamespacedReplicaSetAsync(o, "rs", ns),
            () => client.AppsV1.DeleteNamespacedReplicaSetAsync("rs", ns),
            o => Assert.Equal(0, o.Spec.Replicas));
    }

    [Fact]
    public async Task Leases_round_trip()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var now = DateTime.UtcNow;
        var lease = new V1Lease
        {
            Metadata = Meta("leader"),
            Spec = new V1LeaseSpec { HolderIdentity = "replica-a", LeaseDurationSeconds = 15, AcquireTime = now, RenewTime = now, LeaseTransitions = 0 },
        };
        await RoundTripAsync(
            () => client.CoordinationV1.CreateNamespacedLeaseAsync(lease, ns),
            () => client.CoordinationV1.ReadNamespacedLeaseAsync("leader", ns),
            async () => (await client.CoordinationV1.ListNamespacedLeaseAsync(ns)).Items,
            o => client.CoordinationV1.ReplaceNamespacedLeaseAsync(o, "leader", ns),
            () => client.CoordinationV1.DeleteNamespacedLeaseAsync("leader", ns),
            o =>
            {
                Assert.Equal("replica-a", o.Spec.HolderIdentity);
                Assert.Equal(15, o.Spec.LeaseDurationSeconds);
                Assert.NotNull(o.Spec.RenewTime);
            });
    }

    [Fact]
    public async Task EndpointSlices_round_trip()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var slice = new V1EndpointSlice
        {
            Metadata = Meta("svc-abc", new Dictionary<string, string> { ["kubernetes.io/service-name"] = "svc" }),
            AddressType = "IPv4",
            Endpoints = [new V1Endpoint { Addresses = ["10.0.0.7"], Conditions = new V1EndpointConditions { Ready = true } }],
            Ports = [new Discoveryv1EndpointPort { Name = "http", Port = 8080, Protocol = "TCP" }],
        };
        await RoundTripAsync(
            () => client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(slice, ns),
            () => client.DiscoveryV1.ReadNamespacedEndpointSliceAsync("svc-abc", ns),
            async () => (await client.DiscoveryV1.ListNamespacedEndpointSliceAsync(ns, labelSelector: "kubernetes.io/service-name=svc")).Items,
            o => client.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(o, "svc-abc", ns),
            () => client.DiscoveryV1.DeleteNamespacedEndpointSliceAsync("svc-abc", ns),
            o => Assert.Equal("10.0.0.7", o.Endpoints.Single().Addresses.Single()));
    }

    [Fact]
    public async Task ValidatingWebhookConfigurations_are_cluster_scoped_and_round_trip()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var name = $"roostha-test-{Guid.NewGuid():N}"[..24];
        var webhook = new V1ValidatingWebhookConfiguration
        {
            Metadata = Meta(name),
            Webhooks =
            [
                new V1ValidatingWebhook
                {
                    Name = "validate.nothing.roost.birb.party",
                    AdmissionReviewVersions = ["v1"],
                    SideEffects = "None",
                    FailurePolicy = "Ignore",
                    TimeoutSeconds = 1,
                    ClientConfig = new Admissionregistrationv1WebhookClientConfig { Url = "https://roostha-test.invalid/validate" },
                    Rules = [new V1RuleWithOperations { ApiGroups = ["nothing.roost.birb.party"], ApiVersions = ["v1"], Operations = ["CREATE"], Resources = ["nothings"] }],
                },
            ],
        };
        try
        {
            await RoundTripAsync(
                () => client.AdmissionregistrationV1.CreateValidatingWebhookConfigurationAsync(webhook),
                () => client.AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync(name),
                async () => (await client.AdmissionregistrationV1.ListValidatingWebhookConfigurationAsync()).Items,
                o => client.AdmissionregistrationV1.ReplaceValidatingWebhookConfigurationAsync(o, name),
                () => client.AdmissionregistrationV1.DeleteValidatingWebhookConfigurationAsync(name),
                o =>
                {
                    Assert.Null(o.Metadata.NamespaceProperty);
                    Assert.Equal("validate.nothing.roost.birb.party", o.Webhooks.Single().Name);
                });
        }
        finally
        {
            if (!cluster.IsSimulated)
            {
                await IsGoneAsync(() => client.AdmissionregistrationV1.DeleteValidatingWebhookConfigurationAsync(name));
            }
        }
    }

    /// <summary>create → read → list → replace (a label) → delete → 404, checking server-set metadata on the way.</summary>
    private static async Task RoundTripAsync<T>(
        Func<Task<T>> create,
        Func<Task<T>> read,
        Func<Task<IEnumerable<T>>> list,
        Func<T, Task<T>> replace,
        Func<Task> delete,
        Action<T>? check = null)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var created = await create();
        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.NotNull(created.Metadata.CreationTimestamp);
        Assert.False(string.IsNullOrEmpty(created.Metadata.ResourceVersion));
        Assert.False(string.IsNullOrEmpty(created.Kind));
        Assert.False(string.IsNullOrEmpty(created.ApiVersion));
        check?.Invoke(created);

        var got = await read();
        Assert.Equal(created.Metadata.Uid, got.Metadata.Uid);
        check?.Invoke(got);
        Assert.Contains(await list(), o => o.Metadata.Uid == created.Metadata.Uid);

        var replaced = await ReplaceOnConflictAsync(read, o => (o.Metadata.Labels ??= new Dictionary<string, string>())["conformance"] = "replaced", replace);
        Assert.Equal("replaced", replaced.Metadata.Labels["conformance"]);
        Assert.Equal(created.Metadata.Uid, replaced.Metadata.Uid);
        Assert.True(Rv(replaced) > Rv(created), "replace must advance the resourceVersion");
        Assert.Equal("replaced", (await read()).Metadata.Labels["conformance"]);

        await delete();
        await EventuallyAsync(() => IsGoneAsync(read), "the deleted object is gone");
        await ThrowsStatusAsync(HttpStatusCode.NotFound, "NotFound", read);
    }
}
