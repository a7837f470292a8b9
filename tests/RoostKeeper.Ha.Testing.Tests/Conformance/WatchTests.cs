using System.Net;
using k8s;
using k8s.Models;
using RoostKeeper.Ha.Testing;
using static RoostKeeper.Ha.Testing.Tests.Conformance.Conformance;

namespace RoostKeeper.Ha.Testing.Tests.Conformance;

/// <summary>Watches from a resourceVersion: event order, selectors, and 410 Gone as KubernetesClient surfaces it.</summary>
public sealed class WatchTests
{
    [Fact]
    public async Task Watch_from_a_resourceVersion_delivers_ADDED_MODIFIED_DELETED_in_order()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var start = (await client.CoreV1.ListNamespacedConfigMapAsync(ns)).Metadata.ResourceVersion;

        var created = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("w"), ns);
        created.Data["k"] = "2";
        var modified = await client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "w", ns);
        await client.CoreV1.DeleteNamespacedConfigMapAsync("w", ns);

        using var cts = new CancellationTokenSource(Patience);
        var events = await CollectAsync(
            client.CoreV1.WatchListNamespacedConfigMapAsync(ns, resourceVersion: start, cancellationToken: cts.Token),
            e => e.Count == 3,
            cts.Token);

        Assert.Equal([WatchEventType.Added, WatchEventType.Modified, WatchEventType.Deleted], events.Select(e => e.Type));
        Assert.All(events, e => Assert.Equal("w", e.Object.Metadata.Name));
        Assert.Equal(created.Metadata.ResourceVersion, events[0].Object.Metadata.ResourceVersion);
        Assert.Equal(modified.Metadata.ResourceVersion, events[1].Object.Metadata.ResourceVersion);
        Assert.Equal("2", events[1].Object.Data["k"]);
        Assert.True(Rv(events[2].Object) > Rv(modified));
    }

    [Fact]
    public async Task Watch_delivers_changes_made_after_it_opened()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var lease = await client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease { Metadata = Meta("leader"), Spec = new V1LeaseSpec { HolderIdentity = "a" } }, ns);

        using var cts = new CancellationTokenSource(Patience);
        var watch = CollectAsync(
            client.CoordinationV1.WatchListNamespacedLeaseAsync(ns, fieldSelector: "metadata.name=leader", resourceVersion: lease.Metadata.ResourceVersion, cancellationToken: cts.Token),
            e => e.Any(x => x.Object.Spec.HolderIdentity == "c"),
            cts.Token);
        foreach (var holder in new[] { "b", "c" })
        {
            lease.Spec.HolderIdentity = holder;
            lease = await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, "leader", ns);
        }

        var events = await watch;
        Assert.Equal(["b", "c"], events.Select(e => e.Object.Spec.HolderIdentity));
        Assert.All(events, e => Assert.Equal(WatchEventType.Modified, e.Type));
    }

    [Fact]
    public async Task Watch_without_a_resourceVersion_starts_with_the_current_objects()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("one"), ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("two"), ns);

        using var cts = new CancellationTokenSource(Patience);
        var events = await CollectAsync(
            client.CoreV1.WatchListNamespacedConfigMapAsync(ns, labelSelector: null, cancellationToken: cts.Token),
            e => e.Count(x => x.Object.Metadata.Name is "one" or "two") == 2,
            cts.Token);

        Assert.All(events, e => Assert.Equal(WatchEventType.Added, e.Type));
    }

    [Fact]
    public async Task Label_selector_watch_sees_only_matching_objects_and_objects_leaving_the_selection_as_DELETED()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var start = (await client.CoreV1.ListNamespacedConfigMapAsync(ns)).Metadata.ResourceVersion;

        var a = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a", new Dictionary<string, string> { ["app"] = "roost" }), ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("b", new Dictionary<string, string> { ["app"] = "other" }), ns);
        a.Data["k"] = "2";
        a = await client.CoreV1.ReplaceNamespacedConfigMapAsync(a, "a", ns);
        a.Metadata.Labels["app"] = "other";
        await client.CoreV1.ReplaceNamespacedConfigMapAsync(a, "a", ns);
        await client.CoreV1.DeleteNamespacedConfigMapAsync("b", ns);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("sentinel", new Dictionary<string, string> { ["app"] = "roost" }), ns);

        using var cts = new CancellationTokenSource(Patience);
        var events = await CollectAsync(
            client.CoreV1.WatchListNamespacedConfigMapAsync(ns, labelSelector: "app=roost", resourceVersion: start, cancellationToken: cts.Token),
            e => e.Any(x => x.Object.Metadata.Name == "sentinel"),
            cts.Token);

        Assert.Equal(
            [(WatchEventType.Added, "a"), (WatchEventType.Modified, "a"), (WatchEventType.Deleted, "a"), (WatchEventType.Added, "sentinel")],
            events.Select(e => (e.Type, e.Object.Metadata.Name)));
    }

    [Fact]
    public async Task Label_selector_watch_sees_an_object_that_starts_matching_as_ADDED()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var start = (await client.CoreV1.ListNamespacedConfigMapAsync(ns)).Metadata.ResourceVersion;

        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("late", new Dictionary<string, string> { ["app"] = "other" }), ns);
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"labels":{"app":"roost"}}}""", V1Patch.PatchType.MergePatch), "late", ns);
        await client.CoreV1.DeleteNamespacedConfigMapAsync("late", ns);

        using var cts = new CancellationTokenSource(Patience);
        var events = await CollectAsync(
            client.CoreV1.WatchListNamespacedConfigMapAsync(ns, labelSelector: "app in (roost)", resourceVersion: start, cancellationToken: cts.Token),
            e => e.Any(x => x.Type == WatchEventType.Deleted),
            cts.Token);

        Assert.Equal([WatchEventType.Added, WatchEventType.Deleted], events.Select(e => e.Type));
        Assert.Equal("roost", events[0].Object.Metadata.Labels["app"]);
    }

    [Fact]
    public async Task Watch_across_all_namespaces_sees_every_namespace()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns1 = await cluster.CreateNamespaceAsync();
        var ns2 = await cluster.CreateNamespaceAsync();
        var start = (await client.CoreV1.ListConfigMapForAllNamespacesAsync(limit: 1)).Metadata.ResourceVersion;
        var marker = Guid.NewGuid().ToString("N");
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("x", new Dictionary<string, string> { ["marker"] = marker }), ns1);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("x", new Dictionary<string, string> { ["marker"] = marker }), ns2);

        using var cts = new CancellationTokenSource(Patience);
        var events = await CollectAsync(
            client.CoreV1.WatchListConfigMapForAllNamespacesAsync(labelSelector: $"marker={marker}", resourceVersion: start, cancellationToken: cts.Token),
            e => e.Count == 2,
            cts.Token);

        Assert.Equal([ns1, ns2], events.Select(e => e.Object.Metadata.NamespaceProperty));
    }

    [Fact]
    public async Task Cluster_scoped_resources_can_be_watched_by_name()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var start = (await client.CoreV1.ReadNamespaceAsync(ns)).Metadata.ResourceVersion;

        await client.CoreV1.PatchNamespaceAsync(new V1Patch("""{"metadata":{"labels":{"watched":"yes"}}}""", V1Patch.PatchType.MergePatch), ns);

        using var cts = new CancellationTokenSource(Patience);
        var events = await CollectAsync(
            client.CoreV1.WatchListNamespaceAsync(fieldSelector: $"metadata.name={ns}", resourceVersion: start, cancellationToken: cts.Token),
            e => e.Count == 1,
            cts.Token);

        Assert.Equal((WatchEventType.Modified, "yes"), (events[0].Type, events[0].Object.Metadata.Labels["watched"]));
    }

    [Fact]
    public async Task Watch_of_one_namespace_does_not_see_another()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var other = await cluster.CreateNamespaceAsync();
        var start = (await client.CoreV1.ListNamespacedConfigMapAsync(ns)).Metadata.ResourceVersion;
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("elsewhere"), other);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("here"), ns);

        using var cts = new CancellationTokenSource(Patience);
        var events = await CollectAsync(
            client.CoreV1.WatchListNamespacedConfigMapAsync(ns, resourceVersion: start, cancellationToken: cts.Token),
            e => e.Any(x => x.Object.Metadata.Name == "here"),
            cts.Token);

        Assert.Equal([(WatchEventType.Added, "here")], events.Select(e => (e.Type, e.Object.Metadata.Name)));
    }

    [Fact]
    public async Task Watch_ends_cleanly_after_timeoutSeconds()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var start = (await client.CoreV1.ListNamespacedConfigMapAsync(ns)).Metadata.ResourceVersion;

        // KubernetesClient fails a watch stream that ends without a single line (EndOfStreamException, on a real
        // server too), so the watch gets one event before it times out.
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("only"), ns);
        using var cts = new CancellationTokenSource(Patience);
        var events = await CollectAsync(
            client.CoreV1.WatchListNamespacedConfigMapAsync(ns, resourceVersion: start, timeoutSeconds: 1, cancellationToken: cts.Token),
            _ => false,
            cts.Token);

        Assert.Equal([(WatchEventType.Added, "only")], events.Select(e => (e.Type, e.Object.Metadata.Name)));
        Assert.False(cts.IsCancellationRequested);
    }

    [SimulatedOnlyFact("forced watch compaction")]
    public async Task Watch_from_a_compacted_resourceVersion_reports_410_Gone_through_onError()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var start = (await client.CoreV1.ListNamespacedConfigMapAsync(ns)).Metadata.ResourceVersion;
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("before-compaction"), ns);
        cluster.Simulation.CompactWatchHistory();

        var (events, errors) = await WatchUntilClosedAsync(client, ns, start);

        Assert.Empty(events);
        var gone = Assert.IsType<KubernetesException>(Assert.Single(errors));
        Assert.Equal((int)HttpStatusCode.Gone, gone.Status.Code);
        Assert.Equal("Expired", gone.Status.Reason);
        Assert.Equal("Status", gone.Status.Kind);

        // Re-listing gives a resourceVersion that watches fine.
        var relist = await client.CoreV1.ListNamespacedConfigMapAsync(ns);
        Assert.Equal(["before-compaction"], relist.Items.Select(i => i.Metadata.Name).Where(n => n != "kube-root-ca.crt"));
        using var cts = new CancellationTokenSource(Patience);
        var resumed = CollectAsync(client.CoreV1.WatchListNamespacedConfigMapAsync(ns, resourceVersion: relist.Metadata.ResourceVersion, cancellationToken: cts.Token), e => e.Count == 1, cts.Token);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("after-compaction"), ns);
        Assert.Equal("after-compaction", Assert.Single(await resumed).Object.Metadata.Name);
    }

    [SimulatedOnlyFact("a tiny WatchHistoryLimit")]
    public async Task A_small_WatchHistoryLimit_makes_old_resourceVersions_410_Gone()
    {
        await using var cluster = await TestCluster.StartAsync(new SimulatedClusterOptions { WatchHistoryLimit = 3 });
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var start = (await client.CoreV1.ListNamespacedConfigMapAsync(ns)).Metadata.ResourceVersion;
        for (var i = 0; i < 3; i++)
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap($"old-{i}"), ns);
        }

        // Still within the last 3 changes: replayed.
        using (var cts = new CancellationTokenSource(Patience))
        {
            var replayed = await CollectAsync(client.CoreV1.WatchListNamespacedConfigMapAsync(ns, resourceVersion: start, cancellationToken: cts.Token), e => e.Count == 3, cts.Token);
            Assert.Equal(["old-0", "old-1", "old-2"], replayed.Select(e => e.Object.Metadata.Name));
        }

        // One more change pushes the first one out of the history.
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("new"), ns);
        var (events, errors) = await WatchUntilClosedAsync(client, ns, start);

        Assert.Empty(events);
        var gone = Assert.IsType<KubernetesException>(Assert.Single(errors));
        Assert.Equal(410, gone.Status.Code);
    }

    [SimulatedOnlyFact("forced watch compaction")]
    public async Task A_continue_token_from_before_compaction_is_410_Gone()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        for (var i = 0; i < 3; i++)
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap($"cm-{i}"), ns);
        }

        var first = await client.CoreV1.ListNamespacedConfigMapAsync(ns, limit: 1);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cm-later"), ns);
        cluster.Simulation.CompactWatchHistory();

        var status = await ThrowsStatusAsync(HttpStatusCode.Gone, "Expired",
            () => client.CoreV1.ListNamespacedConfigMapAsync(ns, limit: 1, continueParameter: first.Metadata.ContinueProperty));
        Assert.Contains("continue", status.Message, StringComparison.Ordinal);
    }

    private static async Task<(List<(WatchEventType Type, V1ConfigMap Object)> Events, List<Exception> Errors)> WatchUntilClosedAsync(IKubernetes client, string ns, string resourceVersion)
    {
        var errors = new List<Exception>();
        using var cts = new CancellationTokenSource(Patience);
        var events = await CollectAsync(
            client.CoreV1.WatchListNamespacedConfigMapAsync(ns, resourceVersion: resourceVersion, onError: errors.Add, cancellationToken: cts.Token),
            _ => false,
            cts.Token);
        Assert.False(cts.IsCancellationRequested, "the server should end a watch it reports 410 on");
        return (events, errors);
    }
}
