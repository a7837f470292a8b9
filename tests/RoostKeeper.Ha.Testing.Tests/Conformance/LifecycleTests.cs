using System.Net;
using k8s;
using k8s.Models;
using static RoostKeeper.Ha.Testing.Tests.Conformance.Conformance;

namespace RoostKeeper.Ha.Testing.Tests.Conformance;

/// <summary>Deletion semantics: namespaces, owner-reference garbage collection, finalizers.</summary>
public sealed class LifecycleTests
{
    private const string Finalizer = "roost.birb.party/hold";

    [Fact]
    public async Task Deleting_a_namespace_removes_its_objects()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var doomed = await cluster.CreateNamespaceAsync();
        var kept = await cluster.CreateNamespaceAsync();
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cm"), doomed);
        await client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease { Metadata = Meta("lease"), Spec = new V1LeaseSpec() }, doomed);
        await client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web"), doomed);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cm"), kept);

        await client.CoreV1.DeleteNamespaceAsync(doomed);

        await EventuallyAsync(() => IsGoneAsync(() => client.CoreV1.ReadNamespaceAsync(doomed)), "the namespace is gone");
        await ThrowsStatusAsync(HttpStatusCode.NotFound, "NotFound", () => client.CoreV1.ReadNamespacedConfigMapAsync("cm", doomed));
        await ThrowsStatusAsync(HttpStatusCode.NotFound, "NotFound", () => client.CoordinationV1.ReadNamespacedLeaseAsync("lease", doomed));
        await ThrowsStatusAsync(HttpStatusCode.NotFound, "NotFound", () => client.AppsV1.ReadNamespacedDeploymentAsync("web", doomed));
        Assert.Empty((await client.CoordinationV1.ListLeaseForAllNamespacesAsync(fieldSelector: $"metadata.namespace={doomed}")).Items);
        Assert.Equal("cm", (await client.CoreV1.ReadNamespacedConfigMapAsync("cm", kept)).Metadata.Name);
    }

    [Fact]
    public async Task A_namespace_stays_Terminating_while_a_finalizer_holds_an_object_in_it()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var held = ConfigMap("held");
        held.Metadata.Finalizers = [Finalizer];
        await client.CoreV1.CreateNamespacedConfigMapAsync(held, ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("free"), ns);

        await client.CoreV1.DeleteNamespaceAsync(ns);

        await EventuallyAsync(() => IsGoneAsync(() => client.CoreV1.ReadNamespacedConfigMapAsync("free", ns)), "the unheld object is deleted");
        await EventuallyAsync(
            async () => (await client.CoreV1.ReadNamespacedConfigMapAsync("held", ns)).Metadata.DeletionTimestamp is not null,
            "the held object is marked for deletion");
        var terminating = await client.CoreV1.ReadNamespaceAsync(ns);
        Assert.Equal("Terminating", terminating.Status.Phase);
        Assert.NotNull(terminating.Metadata.DeletionTimestamp);

        var status = await ThrowsStatusAsync(HttpStatusCode.Forbidden, "Forbidden", () => client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("late"), ns));
        Assert.Contains("being terminated", status.Message, StringComparison.Ordinal);

        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), "held", ns);
        await EventuallyAsync(() => IsGoneAsync(() => client.CoreV1.ReadNamespaceAsync(ns)), "the namespace goes once it is empty");
    }

    [Fact]
    public async Task Deleting_an_owner_garbage_collects_its_dependents()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var owner = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("owner"), ns);
        var dependent = ConfigMap("dependent");
        dependent.Metadata.OwnerReferences = [OwnedBy(owner)];
        await client.CoreV1.CreateNamespacedConfigMapAsync(dependent, ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("bystander"), ns);

        await client.CoreV1.DeleteNamespacedConfigMapAsync("owner", ns);

        await EventuallyAsync(() => IsGoneAsync(() => client.CoreV1.ReadNamespacedConfigMapAsync("dependent", ns)), "the dependent is collected");
        Assert.Equal("bystander", (await client.CoreV1.ReadNamespacedConfigMapAsync("bystander", ns)).Metadata.Name);
    }

    [Fact]
    public async Task Orphan_propagation_keeps_dependents_and_drops_their_owner_reference()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var owner = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("owner"), ns);
        var dependent = ConfigMap("dependent");
        dependent.Metadata.OwnerReferences = [OwnedBy(owner)];
        await client.CoreV1.CreateNamespacedConfigMapAsync(dependent, ns);

        await client.CoreV1.DeleteNamespacedConfigMapAsync("owner", ns, propagationPolicy: "Orphan");

        await EventuallyAsync(() => IsGoneAsync(() => client.CoreV1.ReadNamespacedConfigMapAsync("owner", ns)), "the owner is gone");
        await EventuallyAsync(
            async () => (await client.CoreV1.ReadNamespacedConfigMapAsync("dependent", ns)).Metadata.OwnerReferences is null or { Count: 0 },
            "the orphan's owner reference is removed");
    }

    [Fact]
    public async Task Finalizers_keep_a_deleted_object_until_they_are_removed()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var cm = ConfigMap("held");
        cm.Metadata.Finalizers = [Finalizer];
        var created = await client.CoreV1.CreateNamespacedConfigMapAsync(cm, ns);
        Assert.Null(created.Metadata.DeletionTimestamp);

        await client.CoreV1.DeleteNamespacedConfigMapAsync("held", ns);

        var terminating = await client.CoreV1.ReadNamespacedConfigMapAsync("held", ns);
        Assert.NotNull(terminating.Metadata.DeletionTimestamp);
        Assert.Equal([Finalizer], terminating.Metadata.Finalizers);
        Assert.True(Rv(terminating) > Rv(created));

        // Deleting again changes nothing; the object can still be updated while it waits.
        await client.CoreV1.DeleteNamespacedConfigMapAsync("held", ns);
        var again = await client.CoreV1.ReadNamespacedConfigMapAsync("held", ns);
        Assert.Equal(terminating.Metadata.DeletionTimestamp, again.Metadata.DeletionTimestamp);
        var updated = await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"k":"cleanup-done"}}""", V1Patch.PatchType.MergePatch), "held", ns);
        Assert.Equal("cleanup-done", updated.Data["k"]);

        var start = updated.Metadata.ResourceVersion;
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), "held", ns);

        await EventuallyAsync(() => IsGoneAsync(() => client.CoreV1.ReadNamespacedConfigMapAsync("held", ns)), "the object is deleted once its finalizers are removed");
        using var cts = new CancellationTokenSource(Patience);
        var events = await CollectAsync(
            client.CoreV1.WatchListNamespacedConfigMapAsync(ns, fieldSelector: "metadata.name=held", resourceVersion: start, cancellationToken: cts.Token),
            e => e.Any(x => x.Type == WatchEventType.Deleted),
            cts.Token);
        Assert.Equal(WatchEventType.Deleted, events[^1].Type);
    }

    [Fact]
    public async Task A_finalizer_on_a_dependent_holds_it_after_its_owner_is_collected()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var owner = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("owner"), ns);
        var dependent = ConfigMap("dependent");
        dependent.Metadata.OwnerReferences = [OwnedBy(owner)];
        dependent.Metadata.Finalizers = [Finalizer];
        await client.CoreV1.CreateNamespacedConfigMapAsync(dependent, ns);

        await client.CoreV1.DeleteNamespacedConfigMapAsync("owner", ns);

        await EventuallyAsync(
            async () => (await client.CoreV1.ReadNamespacedConfigMapAsync("dependent", ns)).Metadata.DeletionTimestamp is not null,
            "the dependent is marked for deletion");
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"finalizers":[]}}""", V1Patch.PatchType.MergePatch), "dependent", ns);
        await EventuallyAsync(() => IsGoneAsync(() => client.CoreV1.ReadNamespacedConfigMapAsync("dependent", ns)), "the dependent is deleted");
    }

    private static V1OwnerReference OwnedBy(V1ConfigMap owner) =>
        new() { ApiVersion = "v1", Kind = "ConfigMap", Name = owner.Metadata.Name, Uid = owner.Metadata.Uid };
}
