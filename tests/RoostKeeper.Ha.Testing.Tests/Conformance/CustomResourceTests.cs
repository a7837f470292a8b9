using System.Net;
using System.Text.Json.Serialization;
using k8s;
using k8s.Autorest;
using k8s.Models;
using static RoostKeeper.Ha.Testing.Tests.Conformance.Conformance;

namespace RoostKeeper.Ha.Testing.Tests.Conformance;

/// <summary>
/// CustomResourceDefinitions: creating <c>managedroosts.roost.birb.party</c> serves its resource (through
/// CustomObjects and GenericClient), deleting it stops serving it. On a real cluster these tests create and
/// delete that CRD, so they must not share a cluster that relies on it.
/// </summary>
public sealed class CustomResourceTests
{
    private const string Group = ManagedRoostCrd.Group;
    private const string Version = ManagedRoostCrd.Version;
    private const string Plural = ManagedRoostCrd.Plural;
    private const string CrdName = ManagedRoostCrd.Name;

    [Fact]
    public async Task Creating_the_CRD_serves_its_resource_through_GenericClient()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await using var crd = await InstallAsync(client);
        using var roosts = new GenericClient(client, Group, Version, Plural, disposeClient: false);

        var created = await CreateWhenServedAsync(() => roosts.CreateNamespacedAsync(Roost("alpha", 3), ns));
        Assert.Equal("ManagedRoost", created.Kind);
        Assert.Equal($"{Group}/{Version}", created.ApiVersion);
        Assert.Equal(1, created.Metadata.Generation);
        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));

        var read = await roosts.ReadNamespacedAsync<ManagedRoost>(ns, "alpha");
        Assert.Equal(3, read.Spec.Replicas);
        Assert.Equal("registry.birb.party/roost:1", read.Spec.Image);

        read.Spec.Replicas = 5;
        var replaced = await roosts.ReplaceNamespacedAsync(read, ns, "alpha");
        Assert.Equal(5, replaced.Spec.Replicas);
        Assert.Equal(2, replaced.Metadata.Generation);

        var patched = await roosts.PatchNamespacedAsync<ManagedRoost>(new V1Patch("""{"metadata":{"labels":{"tier":"gold"}}}""", V1Patch.PatchType.MergePatch), ns, "alpha");
        Assert.Equal("gold", patched.Metadata.Labels["tier"]);
        Assert.Equal(2, patched.Metadata.Generation);

        await roosts.CreateNamespacedAsync(Roost("beta", 1), ns);
        var list = await roosts.ListNamespacedAsync<ManagedRoostList>(ns);
        Assert.Equal(["alpha", "beta"], list.Items.Select(r => r.Metadata.Name).Order(StringComparer.Ordinal));

        await ThrowsStatusAsync(HttpStatusCode.Conflict, "AlreadyExists", () => roosts.CreateNamespacedAsync(Roost("beta", 1), ns));
        stale(read);
        await ThrowsStatusAsync(HttpStatusCode.Conflict, "Conflict", () => roosts.ReplaceNamespacedAsync(read, ns, "alpha"));

        await roosts.DeleteNamespacedAsync<V1Status>(ns, "beta");
        await EventuallyAsync(() => IsGoneAsync(() => roosts.ReadNamespacedAsync<ManagedRoost>(ns, "beta")), "the deleted roost is gone");
        await ThrowsStatusAsync(HttpStatusCode.NotFound, "NotFound", () => roosts.ReadNamespacedAsync<ManagedRoost>(ns, "beta"));

        static void stale(ManagedRoost r) => r.Spec.Replicas = 9;
    }

    [Fact]
    public async Task Custom_resources_round_trip_through_CustomObjects_with_a_status_subresource()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await using var crd = await InstallAsync(client);

        await CreateWhenServedAsync(() => client.CustomObjects.CreateNamespacedCustomObjectAsync<ManagedRoost>(Roost("gamma", 2), Group, Version, ns, Plural));

        var withStatus = Roost("gamma", 2);
        withStatus.Status = new ManagedRoostStatus { Phase = "Ignored" };
        var current = await client.CustomObjects.GetNamespacedCustomObjectAsync<ManagedRoost>(Group, Version, ns, Plural, "gamma");
        withStatus.Metadata.ResourceVersion = current.Metadata.ResourceVersion;
        withStatus.Spec.Replicas = 4;
        var replaced = await client.CustomObjects.ReplaceNamespacedCustomObjectAsync<ManagedRoost>(withStatus, Group, Version, ns, Plural, "gamma");
        Assert.Null(replaced.Status);
        Assert.Equal(2, replaced.Metadata.Generation);

        var status = await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync<ManagedRoost>(
            new V1Patch("""{"status":{"phase":"Ready"},"spec":{"replicas":99}}""", V1Patch.PatchType.MergePatch), Group, Version, ns, Plural, "gamma");
        Assert.Equal("Ready", status.Status?.Phase);
        Assert.Equal(4, status.Spec.Replicas);
        Assert.Equal(2, status.Metadata.Generation);

        var list = await client.CustomObjects.ListNamespacedCustomObjectAsync<ManagedRoostList>(Group, Version, ns, Plural, labelSelector: "roost=gamma");
        Assert.Equal("Ready", Assert.Single(list.Items).Status?.Phase);

        await client.CustomObjects.DeleteNamespacedCustomObjectAsync(Group, Version, ns, Plural, "gamma");
        await EventuallyAsync(() => IsGoneAsync(() => client.CustomObjects.GetNamespacedCustomObjectAsync(Group, Version, ns, Plural, "gamma")), "the roost is gone");
    }

    [Fact]
    public async Task Custom_resources_can_be_watched()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await using var crd = await InstallAsync(client);
        using var roosts = new GenericClient(client, Group, Version, Plural, disposeClient: false);
        await CreateWhenServedAsync(() => roosts.CreateNamespacedAsync(Roost("first", 1), ns));
        var start = (await roosts.ListNamespacedAsync<ManagedRoostList>(ns)).Metadata.ResourceVersion;

        await roosts.CreateNamespacedAsync(Roost("second", 1), ns);
        await roosts.PatchNamespacedAsync<ManagedRoost>(new V1Patch("""{"spec":{"replicas":2}}""", V1Patch.PatchType.MergePatch), ns, "second");
        await roosts.DeleteNamespacedAsync<V1Status>(ns, "second");

        using var cts = new CancellationTokenSource(Patience);
        var events = await CollectAsync(
            client.CustomObjects.WatchListNamespacedCustomObjectAsync(Group, Version, ns, Plural, resourceVersion: start, cancellationToken: cts.Token),
            e => e.Any(x => x.Type == WatchEventType.Deleted),
            cts.Token);

        Assert.Equal(
            [(WatchEventType.Added, "second", 1), (WatchEventType.Modified, "second", 2), (WatchEventType.Deleted, "second", 2)],
            events.Select(e => KubernetesJson.Deserialize<ManagedRoost>(KubernetesJson.Serialize(e.Object))).Zip(events, (r, e) => (e.Type, r.Metadata.Name, r.Spec.Replicas)));
    }

    [Fact]
    public async Task Deleting_the_CRD_stops_serving_its_resource()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var crd = await InstallAsync(client);
        using var roosts = new GenericClient(client, Group, Version, Plural, disposeClient: false);
        await CreateWhenServedAsync(() => roosts.CreateNamespacedAsync(Roost("doomed", 1), ns));

        var discovered = await client.Apis.GetAPIVersionsAsync();
        Assert.Contains(discovered.Groups, g => g.Name == Group);

        await crd.DisposeAsync();

        await EventuallyAsync(() => IsGoneAsync(() => roosts.ListNamespacedAsync<ManagedRoostList>(ns)), "the resource is no longer served");
        var status = await ThrowsStatusAsync(HttpStatusCode.NotFound, "NotFound", () => roosts.CreateNamespacedAsync(Roost("late", 1), ns));
        Assert.NotNull(status.Message);
        await EventuallyAsync(async () => !(await client.Apis.GetAPIVersionsAsync()).Groups.Any(g => g.Name == Group), "discovery drops the group");
    }

    [Fact]
    public async Task Without_a_status_subresource_status_is_part_of_the_object()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var definition = Definition();
        definition.Metadata.Name = $"nestboxes.{Group}";
        definition.Spec.Names = new V1CustomResourceDefinitionNames { Plural = "nestboxes", Singular = "nestbox", Kind = "NestBox", ListKind = "NestBoxList" };
        definition.Spec.Versions[0].Subresources = null;
        await using var crd = await InstallAsync(client, definition);
        using var boxes = new GenericClient(client, Group, Version, "nestboxes", disposeClient: false);

        var box = Roost("box", 1);
        box.Kind = "NestBox";
        box.Status = new ManagedRoostStatus { Phase = "Kept" };
        var created = await CreateWhenServedAsync(() => boxes.CreateNamespacedAsync(box, ns));
        Assert.Equal("Kept", created.Status?.Phase);
        Assert.Equal(1, created.Metadata.Generation);

        created.Status = new ManagedRoostStatus { Phase = "Changed" };
        var replaced = await boxes.ReplaceNamespacedAsync(created, ns, "box");
        Assert.Equal("Changed", replaced.Status?.Phase);
        Assert.Equal(2, replaced.Metadata.Generation);

        await ThrowsStatusAsync(HttpStatusCode.NotFound, "NotFound", () => client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch("""{"status":{"phase":"Nope"}}""", V1Patch.PatchType.MergePatch), Group, Version, ns, "nestboxes", "box"));
    }

    [Fact]
    public async Task Custom_resources_without_a_spec_still_get_a_generation()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await using var crd = await InstallAsync(client);

        var created = await CreateWhenServedAsync(() => client.CustomObjects.CreateNamespacedCustomObjectAsync<ManagedRoost>(
            new Dictionary<string, object> { ["apiVersion"] = $"{Group}/{Version}", ["kind"] = "ManagedRoost", ["metadata"] = new Dictionary<string, object> { ["name"] = "bare" } },
            Group, Version, ns, Plural));
        Assert.Equal(1, created.Metadata.Generation);

        var patched = await client.CustomObjects.PatchNamespacedCustomObjectAsync<ManagedRoost>(
            new V1Patch("""{"spec":{"replicas":1}}""", V1Patch.PatchType.MergePatch), Group, Version, ns, Plural, "bare");
        Assert.Equal(2, patched.Metadata.Generation);
    }

    [Fact]
    public async Task A_CRD_whose_name_does_not_match_its_names_is_invalid()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var definition = Definition();
        definition.Metadata.Name = $"wrong.{Group}";

        await ThrowsStatusAsync(HttpStatusCode.UnprocessableEntity, "Invalid", () => client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(definition));
    }

    private static async Task<T> CreateWhenServedAsync<T>(Func<Task<T>> create)
    {
        // A real API server starts serving a new CRD a moment after it is Established.
        using var cts = new CancellationTokenSource(Patience);
        while (true)
        {
            try
            {
                return await create();
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound && !cts.IsCancellationRequested)
            {
                await Task.Delay(100, CancellationToken.None);
            }
        }
    }

    private static async Task<InstalledCrd> InstallAsync(IKubernetes client, V1CustomResourceDefinition? definition = null)
    {
        definition ??= Definition();
        var name = definition.Metadata.Name;
        await RemoveAsync(client, name);
        var created = await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(definition);
        Assert.Equal(name, created.Metadata.Name);
        Assert.Null(created.Metadata.NamespaceProperty);
        await EventuallyAsync(
            async () => (await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(name)).Status?.Conditions?.Any(c => c.Type == "Established" && c.Status == "True") == true,
            "the CRD is Established");
        return new InstalledCrd(client, name);
    }

    private static async Task RemoveAsync(IKubernetes client, string name)
    {
        if (!await IsGoneAsync(() => client.ApiextensionsV1.DeleteCustomResourceDefinitionAsync(name)))
        {
            await EventuallyAsync(() => IsGoneAsync(() => client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(name)), "the CRD is deleted");
        }
    }

    private static V1CustomResourceDefinition Definition() => ManagedRoostCrd.Definition("mroost");

    private static ManagedRoost Roost(string name, int replicas) => new()
    {
        ApiVersion = $"{Group}/{Version}",
        Kind = "ManagedRoost",
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["roost"] = name } },
        Spec = new ManagedRoostSpec { Replicas = replicas, Image = "registry.birb.party/roost:1" },
    };

    /// <summary>Deletes the CRD (waiting until it is gone) when a test is done with it.</summary>
    private sealed class InstalledCrd(IKubernetes client, string name) : IAsyncDisposable
    {
        private bool _removed;

        public async ValueTask DisposeAsync()
        {
            if (!_removed)
            {
                _removed = true;
                await RemoveAsync(client, name);
            }
        }
    }

    public sealed class ManagedRoost : IKubernetesObject<V1ObjectMeta>
    {
        [JsonPropertyName("apiVersion")]
        public string ApiVersion { get; set; } = "";

        [JsonPropertyName("kind")]
        public string Kind { get; set; } = "";

        [JsonPropertyName("metadata")]
        public V1ObjectMeta Metadata { get; set; } = new();

        [JsonPropertyName("spec")]
        public ManagedRoostSpec Spec { get; set; } = new();

        [JsonPropertyName("status")]
        public ManagedRoostStatus? Status { get; set; }
    }

    public sealed class ManagedRoostSpec
    {
        [JsonPropertyName("replicas")]
        public int Replicas { get; set; }

        [JsonPropertyName("image")]
        public string Image { get; set; } = "";
    }

    public sealed class ManagedRoostStatus
    {
        [JsonPropertyName("phase")]
        public string? Phase { get; set; }
    }

    public sealed class ManagedRoostList : IKubernetesObject<V1ListMeta>
    {
        [JsonPropertyName("apiVersion")]
        public string ApiVersion { get; set; } = "";

        [JsonPropertyName("kind")]
        public string Kind { get; set; } = "";

        [JsonPropertyName("metadata")]
        public V1ListMeta Metadata { get; set; } = new();

        [JsonPropertyName("items")]
        public List<ManagedRoost> Items { get; set; } = [];
    }
}
