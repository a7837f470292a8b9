using System.Net;
using k8s;
using k8s.Models;
using static RoostKeeper.Ha.Testing.Tests.Conformance.Conformance;

namespace RoostKeeper.Ha.Testing.Tests.Conformance;

/// <summary>Create/get/replace/delete semantics: Status errors, server-set metadata, generation, status subresource, concurrency.</summary>
public sealed class ObjectSemanticsTests
{
    [Fact]
    public async Task Creating_an_existing_object_fails_409_AlreadyExists_with_a_Status_body()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("dup"), ns);

        var status = await ThrowsStatusAsync(HttpStatusCode.Conflict, "AlreadyExists",
            () => client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("dup"), ns));
        Assert.Contains("dup", status.Message, StringComparison.Ordinal);
        Assert.Equal("dup", status.Details.Name);
        Assert.Equal("configmaps", status.Details.Kind);
    }

    [Fact]
    public async Task Reading_a_missing_object_fails_404_NotFound_with_a_Status_body()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();

        var status = await ThrowsStatusAsync(HttpStatusCode.NotFound, "NotFound", () => client.CoreV1.ReadNamespacedConfigMapAsync("missing", ns));
        Assert.Contains("\"missing\" not found", status.Message, StringComparison.Ordinal);
        Assert.Equal("missing", status.Details.Name);
        await ThrowsStatusAsync(HttpStatusCode.NotFound, "NotFound", () => client.CoordinationV1.DeleteNamespacedLeaseAsync("missing", ns));
        await ThrowsStatusAsync(HttpStatusCode.NotFound, "NotFound",
            () => client.CoreV1.ReplaceNamespacedConfigMapAsync(ConfigMap("missing"), "missing", ns));
    }

    [Fact]
    public async Task Creating_in_a_missing_namespace_fails_404()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();

        await ThrowsStatusAsync(HttpStatusCode.NotFound, "NotFound",
            () => client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cm"), $"roostha-missing-{Guid.NewGuid():N}"[..30]));
    }

    [Fact]
    public async Task An_invalid_name_fails_422_Invalid()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();

        await ThrowsStatusAsync(HttpStatusCode.UnprocessableEntity, "Invalid",
            () => client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("Not_A_Valid_Name"), ns));
    }

    [Fact]
    public async Task Server_sets_uid_creationTimestamp_and_resourceVersion_and_ignores_client_values()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var cm = ConfigMap("meta");
        cm.Metadata.Uid = "00000000-0000-0000-0000-000000000001";
        cm.Metadata.CreationTimestamp = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        var created = await client.CoreV1.CreateNamespacedConfigMapAsync(cm, ns);

        Assert.NotEqual("00000000-0000-0000-0000-000000000001", created.Metadata.Uid);
        Assert.True(Guid.TryParse(created.Metadata.Uid, out _));
        Assert.True(created.Metadata.CreationTimestamp > DateTime.UtcNow.AddHours(-1));
        Assert.Equal(ns, created.Metadata.NamespaceProperty);

        var other = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("meta2"), ns);
        Assert.NotEqual(created.Metadata.Uid, other.Metadata.Uid);

        // A replace cannot change the uid (422) and its creationTimestamp is ignored.
        var uid = created.Metadata.Uid;
        created.Metadata.Uid = other.Metadata.Uid;
        await ThrowsStatusAsync(HttpStatusCode.UnprocessableEntity, "Invalid", () => client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "meta", ns));
        created.Metadata.Uid = null;
        created.Metadata.CreationTimestamp = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        created.Data["k"] = "changed";
        var replaced = await client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "meta", ns);
        var read = await client.CoreV1.ReadNamespacedConfigMapAsync("meta", ns);
        Assert.Equal(uid, read.Metadata.Uid);
        Assert.True(read.Metadata.CreationTimestamp > DateTime.UtcNow.AddHours(-1));
        Assert.Equal("changed", read.Data["k"]);
        Assert.Equal(replaced.Metadata.ResourceVersion, read.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Creating_an_object_that_carries_a_resourceVersion_fails()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var existing = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("original"), ns);

        // What a restore that forgets to strip server-set fields runs into.
        var copy = ConfigMap("copy");
        copy.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
        var status = await ThrowsStatusAsync(HttpStatusCode.InternalServerError, "InternalError", () => client.CoreV1.CreateNamespacedConfigMapAsync(copy, ns));
        Assert.Contains("resourceVersion should not be set on objects to be created", status.Message, StringComparison.Ordinal);
        await ThrowsStatusAsync(HttpStatusCode.NotFound, "NotFound", () => client.CoreV1.ReadNamespacedConfigMapAsync("copy", ns));
    }

    [Fact]
    public async Task DeleteCollection_deletes_the_selected_objects_only()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        foreach (var (name, app) in new[] { ("a", "roost"), ("b", "roost"), ("c", "nest") })
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap(name, new Dictionary<string, string> { ["app"] = app }), ns);
        }

        await client.CoreV1.DeleteCollectionNamespacedConfigMapAsync(ns, labelSelector: "app=roost");

        await EventuallyAsync(async () => (await client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: "app")).Items.Count == 1, "only the unselected object is left");
        Assert.Equal("c", (await client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: "app")).Items.Single().Metadata.Name);
    }

    [Fact]
    public async Task Scale_subresource_reads_and_writes_spec_replicas()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("scaled"), ns);

        var scale = await client.AppsV1.ReadNamespacedDeploymentScaleAsync("scaled", ns);
        Assert.Equal(0, scale.Spec.Replicas);
        Assert.Equal("scaled", scale.Metadata.Name);

        var patched = await client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch("""{"spec":{"replicas":2}}""", V1Patch.PatchType.MergePatch), "scaled", ns);
        Assert.Equal(2, patched.Spec.Replicas);
        var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync("scaled", ns);
        Assert.Equal(2, deployment.Spec.Replicas);
        Assert.Equal(2, deployment.Metadata.Generation);

        var replaced = await ReplaceOnConflictAsync(
            () => client.AppsV1.ReadNamespacedDeploymentScaleAsync("scaled", ns),
            s => s.Spec.Replicas = 0,
            s => client.AppsV1.ReplaceNamespacedDeploymentScaleAsync(s, "scaled", ns));
        Assert.Equal(0, replaced.Spec.Replicas);
        Assert.Equal(0, (await client.AppsV1.ReadNamespacedDeploymentAsync("scaled", ns)).Spec.Replicas);

        var stale = await client.AppsV1.ReadNamespacedDeploymentScaleAsync("scaled", ns);
        await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"spec":{"minReadySeconds":1}}""", V1Patch.PatchType.MergePatch), "scaled", ns);
        stale.Spec.Replicas = 1;
        await ThrowsStatusAsync(HttpStatusCode.Conflict, "Conflict", () => client.AppsV1.ReplaceNamespacedDeploymentScaleAsync(stale, "scaled", ns));
    }

    [Fact]
    public async Task ResourceVersions_come_from_one_cluster_wide_counter_across_resource_types()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();

        var cm = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a"), ns);
        var secret = await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = Meta("b"), StringData = new Dictionary<string, string> { ["x"] = "y" } }, ns);
        var lease = await client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease { Metadata = Meta("c"), Spec = new V1LeaseSpec { HolderIdentity = "x" } }, ns);
        var deployment = await client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("d"), ns);
        cm.Data["k"] = "2";
        var cm2 = await client.CoreV1.ReplaceNamespacedConfigMapAsync(cm, "a", ns);

        long[] versions = [Rv(cm), Rv(secret), Rv(lease), Rv(deployment), Rv(cm2)];
        Assert.Equal(versions.Order(), versions);
        Assert.Equal(versions.Length, versions.Distinct().Count());

        var list = await client.CoreV1.ListNamespacedConfigMapAsync(ns);
        Assert.True(long.Parse(list.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture) >= Rv(cm2));
        if (cluster.IsSimulated)
        {
            Assert.True(cluster.Simulation.ResourceVersion >= Rv(cm2));
        }
    }

    [Fact]
    public async Task Replace_updates_the_object_and_an_unchanged_replace_keeps_its_resourceVersion()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var created = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("r"), ns);

        var same = await client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "r", ns);
        Assert.Equal(created.Metadata.ResourceVersion, same.Metadata.ResourceVersion);

        same.Data = new Dictionary<string, string> { ["new"] = "value" };
        var replaced = await client.CoreV1.ReplaceNamespacedConfigMapAsync(same, "r", ns);
        Assert.Equal(new Dictionary<string, string> { ["new"] = "value" }, replaced.Data);
        Assert.True(Rv(replaced) > Rv(created));
    }

    [Fact]
    public async Task Replace_with_a_name_that_differs_from_the_url_fails_400()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("url-name"), ns);

        await ThrowsStatusAsync(HttpStatusCode.BadRequest, "BadRequest",
            () => client.CoreV1.ReplaceNamespacedConfigMapAsync(ConfigMap("body-name"), "url-name", ns));
    }

    [Fact]
    public async Task Replace_with_a_stale_resourceVersion_fails_409_Conflict()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var lease = await client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease { Metadata = Meta("l"), Spec = new V1LeaseSpec { HolderIdentity = "a" } }, ns);
        var stale = await client.CoordinationV1.ReadNamespacedLeaseAsync("l", ns);

        lease.Spec.HolderIdentity = "b";
        var winner = await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, "l", ns);
        stale.Spec.HolderIdentity = "c";
        var status = await ThrowsStatusAsync(HttpStatusCode.Conflict, "Conflict", () => client.CoordinationV1.ReplaceNamespacedLeaseAsync(stale, "l", ns));

        Assert.Contains("the object has been modified", status.Message, StringComparison.Ordinal);
        var read = await client.CoordinationV1.ReadNamespacedLeaseAsync("l", ns);
        Assert.Equal("b", read.Spec.HolderIdentity);
        Assert.Equal(winner.Metadata.ResourceVersion, read.Metadata.ResourceVersion);

        // Without a resourceVersion the replace is unconditional.
        stale.Metadata.ResourceVersion = null;
        Assert.Equal("c", (await client.CoordinationV1.ReplaceNamespacedLeaseAsync(stale, "l", ns)).Spec.HolderIdentity);
    }

    [Fact]
    public async Task Of_concurrent_replaces_from_one_resourceVersion_exactly_one_wins()
    {
        await using var cluster = await TestCluster.StartAsync();
        var ns = await cluster.CreateNamespaceAsync();
        var setup = cluster.CreateClient();
        var lease = await setup.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease { Metadata = Meta("race"), Spec = new V1LeaseSpec() }, ns);

        var contenders = Enumerable.Range(0, 8).Select(async i =>
        {
            var client = cluster.CreateClient($"replica-{i}");
            var mine = new V1Lease { Metadata = Meta("race"), Spec = new V1LeaseSpec { HolderIdentity = $"replica-{i}" } };
            mine.Metadata.ResourceVersion = lease.Metadata.ResourceVersion;
            try
            {
                await client.CoordinationV1.ReplaceNamespacedLeaseAsync(mine, "race", ns);
                return $"replica-{i}";
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                return null;
            }
        }).ToList();
        var winners = (await Task.WhenAll(contenders)).OfType<string>().ToList();

        var winner = Assert.Single(winners);
        Assert.Equal(winner, (await setup.CoordinationV1.ReadNamespacedLeaseAsync("race", ns)).Spec.HolderIdentity);
    }

    [Fact]
    public async Task A_body_namespace_that_differs_from_the_url_fails_400()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var other = await cluster.CreateNamespaceAsync();
        var cm = ConfigMap("where");
        cm.Metadata.NamespaceProperty = other;

        await ThrowsStatusAsync(HttpStatusCode.BadRequest, "BadRequest", () => client.CoreV1.CreateNamespacedConfigMapAsync(cm, ns));
    }

    [Fact]
    public async Task Delete_with_a_stale_resourceVersion_precondition_fails_409()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var created = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("pre"), ns);
        created.Data["k"] = "2";
        await client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "pre", ns);

        await ThrowsStatusAsync(HttpStatusCode.Conflict, "Conflict", () => client.CoreV1.DeleteNamespacedConfigMapAsync(
            "pre", ns, new V1DeleteOptions { Preconditions = new V1Preconditions { ResourceVersion = created.Metadata.ResourceVersion } }));
        Assert.NotNull(await client.CoreV1.ReadNamespacedConfigMapAsync("pre", ns));
    }

    [Fact]
    public async Task Generation_is_bumped_by_spec_changes_only()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var created = await client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("gen"), ns);
        Assert.Equal(1, created.Metadata.Generation);

        var labelled = await client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("""{"metadata":{"labels":{"tier":"web"},"annotations":{"note":"x"}}}""", V1Patch.PatchType.MergePatch), "gen", ns);
        Assert.Equal(1, labelled.Metadata.Generation);
        Assert.True(Rv(labelled) > Rv(created));

        var status = await client.AppsV1.PatchNamespacedDeploymentStatusAsync(
            new V1Patch("""{"status":{"replicas":7}}""", V1Patch.PatchType.MergePatch), "gen", ns);
        Assert.Equal(1, status.Metadata.Generation);

        var spec = await client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("""{"spec":{"minReadySeconds":5}}""", V1Patch.PatchType.MergePatch), "gen", ns);
        Assert.Equal(2, spec.Metadata.Generation);

        var read = await client.AppsV1.ReadNamespacedDeploymentAsync("gen", ns);
        read.Spec.MinReadySeconds = 6;
        read.Metadata.ResourceVersion = null;
        var replaced = await client.AppsV1.ReplaceNamespacedDeploymentAsync(read, "gen", ns);
        Assert.Equal(3, replaced.Metadata.Generation);

        // A client cannot set generation itself.
        replaced.Metadata.Generation = 100;
        replaced.Metadata.ResourceVersion = null;
        Assert.Equal(3, (await client.AppsV1.ReplaceNamespacedDeploymentAsync(replaced, "gen", ns)).Metadata.Generation);
    }

    [Fact]
    public async Task Status_subresource_separates_spec_writes_from_status_writes()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();

        // Status sent on create is dropped.
        var body = Deployment("st");
        body.Status = new V1DeploymentStatus { Replicas = 7 };
        var created = await client.AppsV1.CreateNamespacedDeploymentAsync(body, ns);
        Assert.NotEqual(7, created.Status?.Replicas);

        // The main resource's PUT ignores status (and applies the spec).
        var read = await client.AppsV1.ReadNamespacedDeploymentAsync("st", ns);
        read.Status ??= new V1DeploymentStatus();
        read.Status.Replicas = 7;
        read.Spec.MinReadySeconds = 3;
        read.Metadata.ResourceVersion = null;
        var main = await client.AppsV1.ReplaceNamespacedDeploymentAsync(read, "st", ns);
        Assert.NotEqual(7, main.Status?.Replicas);
        Assert.Equal(3, main.Spec.MinReadySeconds);
        Assert.Equal(2, main.Metadata.Generation);

        // The /status PUT changes only the status: its spec and label changes are ignored.
        main.Status ??= new V1DeploymentStatus();
        main.Status.Replicas = 7;
        main.Status.ObservedGeneration = main.Metadata.Generation;
        main.Spec.MinReadySeconds = 30;
        main.Metadata.ResourceVersion = null;
        var status = await client.AppsV1.ReplaceNamespacedDeploymentStatusAsync(main, "st", ns);
        Assert.Equal(7, status.Status.Replicas);
        Assert.Equal(3, status.Spec.MinReadySeconds);
        Assert.Equal(2, status.Metadata.Generation);
        Assert.Equal(3, (await client.AppsV1.ReadNamespacedDeploymentAsync("st", ns)).Spec.MinReadySeconds);

        // The /status GET returns the whole object.
        var viaStatus = await client.AppsV1.ReadNamespacedDeploymentStatusAsync("st", ns);
        Assert.Equal("st", viaStatus.Metadata.Name);
        Assert.Equal(3, viaStatus.Spec.MinReadySeconds);
    }

    [Fact]
    public async Task Status_subresource_write_with_a_stale_resourceVersion_fails_409()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var created = await client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("st409"), ns);
        await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"metadata":{"labels":{"x":"y"}}}""", V1Patch.PatchType.MergePatch), "st409", ns);

        created.Status = new V1DeploymentStatus { Replicas = 7 };
        await ThrowsStatusAsync(HttpStatusCode.Conflict, "Conflict", () => client.AppsV1.ReplaceNamespacedDeploymentStatusAsync(created, "st409", ns));
    }

    [Fact]
    public async Task GenerateName_gives_each_created_object_a_unique_name_with_the_prefix()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();

        var names = new HashSet<string>();
        for (var i = 0; i < 5; i++)
        {
            var created = await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { GenerateName = "roost-" } }, ns);
            Assert.StartsWith("roost-", created.Metadata.Name, StringComparison.Ordinal);
            Assert.True(created.Metadata.Name.Length > "roost-".Length);
            Assert.Equal("roost-", created.Metadata.GenerateName);
            names.Add(created.Metadata.Name);
        }

        Assert.Equal(5, names.Count);
        Assert.Equal(5, (await client.CoreV1.ListNamespacedConfigMapAsync(ns)).Items.Count(c => c.Metadata.Name.StartsWith("roost-", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_name_is_required_without_generateName()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();

        await ThrowsStatusAsync(HttpStatusCode.UnprocessableEntity, "Invalid",
            () => client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta() }, ns));
    }
}
