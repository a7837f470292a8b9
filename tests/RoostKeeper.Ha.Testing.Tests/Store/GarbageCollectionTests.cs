using k8s;
using k8s.Models;
using RoostKeeper.Ha.Testing.Tests.Clients;
using Xunit.Abstractions;
using static RoostKeeper.Ha.Testing.Tests.Conformance.Conformance;

namespace RoostKeeper.Ha.Testing.Tests.Store;

/// <summary>
/// Garbage collection by ownerReferences as a v1.33 cluster's collector does it: a dependent goes only when no
/// owner is left, an object whose owners do not exist (when created, or after an update) is collected, and
/// foreground deletion (<c>kubectl delete --cascade=foreground</c>) keeps the owner until its blocking dependents are gone.
/// </summary>
public sealed class GarbageCollectionTests : IClassFixture<KubectlCluster>
{
    private readonly KubectlCluster _fixture;
    private readonly Kubectl _kubectl;

    public GarbageCollectionTests(KubectlCluster fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _kubectl = new Kubectl(fixture, output);
    }

    private IKubernetes Client => _fixture.Client;

    private static V1OwnerReference Owner(V1ConfigMap owner, bool block = false) =>
        new() { ApiVersion = "v1", Kind = "ConfigMap", Name = owner.Metadata.Name, Uid = owner.Metadata.Uid, BlockOwnerDeletion = block ? true : null };

    private async Task<V1ConfigMap> DependentAsync(string ns, string name, IList<string>? finalizers, params V1OwnerReference[] owners)
    {
        var dependent = ConfigMap(name);
        dependent.Metadata.OwnerReferences = owners;
        dependent.Metadata.Finalizers = finalizers;
        return await Client.CoreV1.CreateNamespacedConfigMapAsync(dependent, ns);
    }

    [Fact]
    public async Task A_dependent_shared_by_two_owners_survives_the_first_and_goes_with_the_last()
    {
        var ns = await _fixture.NewNamespaceAsync("gc-shared");
        var a = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("owner-a"), ns);
        var b = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("owner-b"), ns);
        await DependentAsync(ns, "shared", null, Owner(a), Owner(b));

        await _kubectl.RunAsync("delete", "configmap", "owner-a", "-n", ns);

        var survivor = await Client.CoreV1.ReadNamespacedConfigMapAsync("shared", ns);
        Assert.Equal(["owner-b"], survivor.Metadata.OwnerReferences.Select(r => r.Name)); // the dangling reference is dropped
        await _kubectl.RunAsync("delete", "configmap", "owner-b", "-n", ns);
        Assert.True(await IsGoneAsync(() => Client.CoreV1.ReadNamespacedConfigMapAsync("shared", ns)));
    }

    [Fact]
    public async Task An_object_whose_owners_do_not_exist_is_collected_but_one_with_a_live_owner_is_kept()
    {
        var ns = await _fixture.NewNamespaceAsync("gc-dangling");
        var live = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("live"), ns);
        var ghost = new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "ghost", Uid = Guid.NewGuid().ToString() };
        var wrongUid = new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "live", Uid = Guid.NewGuid().ToString() };

        await DependentAsync(ns, "orphaned", null, ghost);
        await DependentAsync(ns, "same-name-other-uid", null, wrongUid);
        await DependentAsync(ns, "kept", null, ghost, Owner(live));

        Assert.True(await IsGoneAsync(() => Client.CoreV1.ReadNamespacedConfigMapAsync("orphaned", ns)));
        Assert.True(await IsGoneAsync(() => Client.CoreV1.ReadNamespacedConfigMapAsync("same-name-other-uid", ns)));
        Assert.NotNull(await Client.CoreV1.ReadNamespacedConfigMapAsync("kept", ns));
    }

    [Fact]
    public async Task An_object_updated_to_name_only_missing_owners_is_collected()
    {
        var ns = await _fixture.NewNamespaceAsync("gc-updated");
        var live = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("live"), ns);
        await DependentAsync(ns, "repointed", null, Owner(live));
        await DependentAsync(ns, "partly", null, Owner(live));
        var ghost = $$"""{"apiVersion":"v1","kind":"ConfigMap","name":"ghost","uid":"{{Guid.NewGuid()}}"}""";
        var liveRef = $$"""{"apiVersion":"v1","kind":"ConfigMap","name":"live","uid":"{{live.Metadata.Uid}}"}""";

        // A dry run changes nothing, so nothing is collected.
        await _kubectl.RunAsync("patch", "configmap", "repointed", "-n", ns, "--type=merge", "--dry-run=server", "-p", $$$"""{"metadata":{"ownerReferences":[{{{ghost}}}]}}""");
        Assert.NotNull(await Client.CoreV1.ReadNamespacedConfigMapAsync("repointed", ns));

        await _kubectl.RunAsync("patch", "configmap", "repointed", "-n", ns, "--type=merge", "-p", $$$"""{"metadata":{"ownerReferences":[{{{ghost}}}]}}""");
        await _kubectl.RunAsync("patch", "configmap", "partly", "-n", ns, "--type=merge", "-p", $$$"""{"metadata":{"ownerReferences":[{{{ghost}}},{{{liveRef}}}]}}""");

        Assert.True(await IsGoneAsync(() => Client.CoreV1.ReadNamespacedConfigMapAsync("repointed", ns)));
        Assert.NotNull(await Client.CoreV1.ReadNamespacedConfigMapAsync("partly", ns)); // one owner still exists
    }

    [Fact]
    public async Task Foreground_deletion_keeps_the_owner_until_its_blocking_dependents_are_gone()
    {
        var ns = await _fixture.NewNamespaceAsync("gc-foreground");
        var owner = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("owner"), ns);
        await DependentAsync(ns, "blocking", ["example.com/hold"], Owner(owner, block: true));
        await DependentAsync(ns, "free", null, Owner(owner));

        await _kubectl.RunAsync("delete", "configmap", "owner", "-n", ns, "--cascade=foreground", "--wait=false");

        var held = await Client.CoreV1.ReadNamespacedConfigMapAsync("owner", ns);
        Assert.NotNull(held.Metadata.DeletionTimestamp);
        Assert.Equal(["foregroundDeletion"], held.Metadata.Finalizers);
        Assert.True(await IsGoneAsync(() => Client.CoreV1.ReadNamespacedConfigMapAsync("free", ns)));
        Assert.NotNull((await Client.CoreV1.ReadNamespacedConfigMapAsync("blocking", ns)).Metadata.DeletionTimestamp);

        await _kubectl.RunAsync("patch", "configmap", "blocking", "-n", ns, "--type=merge", "-p", """{"metadata":{"finalizers":null}}""");

        Assert.True(await IsGoneAsync(() => Client.CoreV1.ReadNamespacedConfigMapAsync("blocking", ns)));
        Assert.True(await IsGoneAsync(() => Client.CoreV1.ReadNamespacedConfigMapAsync("owner", ns)));
    }

    [Fact]
    public async Task Kubectl_delete_cascade_foreground_of_a_deployment_removes_its_replica_sets_and_pods_first()
    {
        var ns = await _fixture.NewNamespaceAsync("gc-deploy");
        await _kubectl.RunAsync("create", "deployment", "web", "-n", ns, "--image=nginx:1.27", "--replicas=2");
        await EventuallyAsync(async () => (await Client.CoreV1.ListNamespacedPodAsync(ns)).Items.Count == 2, "two pods run");

        await _kubectl.RunAsync("delete", "deployment", "web", "-n", ns, "--cascade=foreground");

        Assert.Empty((await Client.AppsV1.ListNamespacedReplicaSetAsync(ns)).Items);
        Assert.Empty((await Client.CoreV1.ListNamespacedPodAsync(ns)).Items);
        Assert.True(await IsGoneAsync(() => Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns)));
    }
}
