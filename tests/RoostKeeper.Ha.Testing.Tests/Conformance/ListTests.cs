using System.Net;
using k8s;
using k8s.Models;
using static RoostKeeper.Ha.Testing.Tests.Conformance.Conformance;

namespace RoostKeeper.Ha.Testing.Tests.Conformance;

/// <summary>Lists: label selectors, field selectors, namespaces, and paging with limit/continue.</summary>
public sealed class ListTests
{
    /// <summary>
    /// Creates a..e, each labelled seed=yes besides the labels under test, so that selectors can be scoped to them
    /// (a real cluster puts kube-root-ca.crt, unlabelled, in every namespace).
    /// </summary>
    private static async Task SeedAsync(IKubernetes client, string ns)
    {
        (string Name, Dictionary<string, string> Labels)[] objects =
        [
            ("a", new() { ["app"] = "roost", ["tier"] = "web" }),
            ("b", new() { ["app"] = "roost", ["tier"] = "db" }),
            ("c", new() { ["app"] = "nest", ["tier"] = "web", ["canary"] = "true" }),
            ("d", new() { ["app"] = "perch" }),
            ("e", new()),
        ];
        foreach (var (name, labels) in objects)
        {
            labels["seed"] = "yes";
            await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap(name, labels), ns);
        }
    }

    [Theory]
    [InlineData("app=roost", "a,b")]
    [InlineData("app==roost", "a,b")]
    [InlineData("app!=roost", "c,d,e")]
    [InlineData("app in (roost,perch)", "a,b,d")]
    [InlineData("app notin (roost,perch)", "c,e")]
    [InlineData("tier", "a,b,c")]
    [InlineData("!tier", "d,e")]
    [InlineData("app=roost,tier=web", "a")]
    [InlineData("tier,!canary", "a,b")]
    [InlineData("app in (nest),tier notin (db)", "c")]
    public async Task Label_selectors_select_the_matching_objects(string selector, string expected)
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await SeedAsync(client, ns);

        var list = await client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: $"seed,{selector}");

        Assert.Equal(expected.Split(','), list.Items.Select(i => i.Metadata.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_unparseable_label_selector_fails_400()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();

        await ThrowsStatusAsync(HttpStatusCode.BadRequest, "BadRequest", () => client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: "app in roost"));
    }

    [Fact]
    public async Task The_metadata_name_field_selector_selects_one_object()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await SeedAsync(client, ns);

        var one = await client.CoreV1.ListNamespacedConfigMapAsync(ns, fieldSelector: "metadata.name=c");
        Assert.Equal(["c"], one.Items.Select(i => i.Metadata.Name));

        var notC = await client.CoreV1.ListNamespacedConfigMapAsync(ns, fieldSelector: "metadata.name!=c", labelSelector: "app");
        Assert.Equal(["a", "b", "d"], notC.Items.Select(i => i.Metadata.Name).Order(StringComparer.Ordinal));

        var none = await client.CoreV1.ListNamespacedConfigMapAsync(ns, fieldSelector: "metadata.name=zzz");
        Assert.Empty(none.Items);
    }

    [Fact]
    public async Task Namespaced_lists_stay_in_their_namespace_and_all_namespace_lists_see_both()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns1 = await cluster.CreateNamespaceAsync();
        var ns2 = await cluster.CreateNamespaceAsync();
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("same", new Dictionary<string, string> { ["conformance"] = ns1 }), ns1);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("same", new Dictionary<string, string> { ["conformance"] = ns1 }), ns2);

        Assert.Equal([ns1], (await client.CoreV1.ListNamespacedConfigMapAsync(ns1, labelSelector: "conformance")).Items.Select(i => i.Metadata.NamespaceProperty));
        var everywhere = await client.CoreV1.ListConfigMapForAllNamespacesAsync(labelSelector: $"conformance={ns1}");
        Assert.Equal(new[] { ns1, ns2 }.Order(StringComparer.Ordinal), everywhere.Items.Select(i => i.Metadata.NamespaceProperty).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Paging_with_limit_and_continue_returns_every_item_exactly_once_from_one_snapshot()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        const int total = 23;
        for (var i = 0; i < total; i++)
        {
            await client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease { Metadata = Meta($"page-{i:D2}"), Spec = new V1LeaseSpec { HolderIdentity = "original" } }, ns);
        }

        var seen = new List<V1Lease>();
        string? token = null;
        string? listVersion = null;
        var pages = 0;
        do
        {
            var page = await client.CoordinationV1.ListNamespacedLeaseAsync(ns, limit: 5, continueParameter: token);
            pages++;
            Assert.True(page.Items.Count <= 5);
            seen.AddRange(page.Items);
            listVersion ??= page.Metadata.ResourceVersion;
            Assert.Equal(listVersion, page.Metadata.ResourceVersion);
            token = page.Metadata.ContinueProperty;
            if (token is { Length: > 0 })
            {
                Assert.Equal(total - seen.Count, page.Metadata.RemainingItemCount);
            }
            else
            {
                Assert.Null(page.Metadata.RemainingItemCount);
            }

            // Writes between pages do not show: every page comes from the first page's snapshot.
            if (pages == 2)
            {
                await client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease { Metadata = Meta("page-99"), Spec = new V1LeaseSpec() }, ns);
                await client.CoordinationV1.DeleteNamespacedLeaseAsync("page-22", ns);
                await client.CoordinationV1.PatchNamespacedLeaseAsync(new V1Patch("""{"spec":{"holderIdentity":"changed"}}""", V1Patch.PatchType.MergePatch), "page-20", ns);
            }
        }
        while (token is { Length: > 0 });

        Assert.Equal(5, pages);
        Assert.Equal(Enumerable.Range(0, total).Select(i => $"page-{i:D2}"), seen.Select(l => l.Metadata.Name).Order(StringComparer.Ordinal));
        Assert.All(seen, l => Assert.Equal("original", l.Spec.HolderIdentity));

        // A new list sees the writes.
        var fresh = await client.CoordinationV1.ListNamespacedLeaseAsync(ns);
        Assert.Contains(fresh.Items, l => l.Metadata.Name == "page-99");
        Assert.DoesNotContain(fresh.Items, l => l.Metadata.Name == "page-22");
        Assert.Equal("changed", fresh.Items.Single(l => l.Metadata.Name == "page-20").Spec.HolderIdentity);
    }

    [Fact]
    public async Task Paging_with_a_selector_returns_every_match_once_without_remainingItemCount()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        for (var i = 0; i < 7; i++)
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap($"sel-{i}", new Dictionary<string, string> { ["paged"] = i % 2 == 0 ? "yes" : "no" }), ns);
        }

        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: "paged=yes", limit: 2, continueParameter: token);
            Assert.Null(page.Metadata.RemainingItemCount);
            seen.AddRange(page.Items.Select(i => i.Metadata.Name));
            token = page.Metadata.ContinueProperty;
        }
        while (token is { Length: > 0 });

        Assert.Equal(["sel-0", "sel-2", "sel-4", "sel-6"], seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_limit_larger_than_the_list_returns_everything_without_continue()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await SeedAsync(client, ns);

        var list = await client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: "app", limit: 100);

        Assert.Equal(4, list.Items.Count);
        Assert.True(string.IsNullOrEmpty(list.Metadata.ContinueProperty));
        Assert.Null(list.Metadata.RemainingItemCount);
    }

    [Fact]
    public async Task Cluster_scoped_lists_page_too()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var mine = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            mine.Add(await cluster.CreateNamespaceAsync());
        }

        var paged = new List<string>();
        string? token = null;
        do
        {
            var page = await client.CoreV1.ListNamespaceAsync(limit: 2, continueParameter: token);
            paged.AddRange(page.Items.Select(n => n.Metadata.Name));
            token = page.Metadata.ContinueProperty;
        }
        while (token is { Length: > 0 });

        Assert.Equal(paged.Count, paged.Distinct().Count());
        Assert.All(mine, n => Assert.Contains(n, paged));
        Assert.Contains("default", paged);
    }
}
