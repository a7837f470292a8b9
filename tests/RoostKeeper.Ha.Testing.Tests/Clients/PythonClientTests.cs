using k8s;
using k8s.Models;
using Xunit.Abstractions;

namespace RoostKeeper.Ha.Testing.Tests.Clients;

/// <summary>
/// The official Python client (Debian's python3-kubernetes) against SimulatedCluster: lists and paging,
/// watches from a resourceVersion and 410 Gone after a compaction, a stale replace's 409, and patches.
/// </summary>
public sealed class PythonClientTests : IClassFixture<KubectlCluster>
{
    private readonly KubectlCluster _fixture;
    private readonly PythonClient _python;

    public PythonClientTests(KubectlCluster fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _python = new PythonClient(fixture, output);
    }

    [Fact]
    public async Task List_pages_with_limit_and_continue()
    {
        var ns = await _fixture.NewNamespaceAsync("py-list");
        await CreateConfigMapsAsync(ns, 5);

        var lines = await _python.RunAsync(ns, """
            names, token, pages = [], None, 0
            while True:
                page = core.list_namespaced_config_map(ns, limit=2, _continue=token)
                pages += 1
                names += [c.metadata.name for c in page.items]
                token = page.metadata._continue
                if not token:
                    break
            out({"names": names, "pages": pages})
            """);

        // Every namespace also holds kube-root-ca.crt, which sorts after the test's objects.
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"cm-{i}").Append("kube-root-ca.crt"), lines[0]!["names"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(3, lines[0]!["pages"]!.GetValue<int>());
    }

    [Fact]
    public async Task Watch_from_a_resourceVersion_sees_the_changes_after_it()
    {
        var ns = await _fixture.NewNamespaceAsync("py-watch");
        var start = (await _fixture.Client.CoreV1.ListNamespacedConfigMapAsync(ns)).Metadata.ResourceVersion;
        await CreateConfigMapsAsync(ns, 2);
        await _fixture.Client.CoreV1.DeleteNamespacedConfigMapAsync("cm-0", ns);

        var lines = await _python.RunAsync(ns, $$"""
            seen = []
            w = watch.Watch()
            for event in w.stream(core.list_namespaced_config_map, ns, resource_version="{{start}}", timeout_seconds=30):
                seen.append(event["type"] + " " + event["object"].metadata.name)
                if len(seen) == 3:
                    w.stop()
            out(seen)
            """);

        Assert.Equal(["ADDED cm-0", "ADDED cm-1", "DELETED cm-0"], lines[0]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Fact]
    public async Task Watch_from_a_compacted_resourceVersion_fails_with_410()
    {
        var ns = await _fixture.NewNamespaceAsync("py-gone");
        var start = (await _fixture.Client.CoreV1.ListNamespacedConfigMapAsync(ns)).Metadata.ResourceVersion;
        await CreateConfigMapsAsync(ns, 1);
        _fixture.Cluster.CompactWatchHistory();

        var lines = await _python.RunAsync(ns, $$"""
            try:
                for event in watch.Watch().stream(core.list_namespaced_config_map, ns, resource_version="{{start}}", timeout_seconds=30):
                    out({"unexpected": event["type"]})
            except ApiException as e:
                out({"status": e.status, "reason": e.reason})
            """);

        Assert.Equal(410, lines[^1]!["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task Replace_with_a_stale_resourceVersion_fails_with_409()
    {
        var ns = await _fixture.NewNamespaceAsync("py-conflict");
        await CreateConfigMapsAsync(ns, 1);

        var lines = await _python.RunAsync(ns, """
            stale = core.read_namespaced_config_map("cm-0", ns)
            fresh = core.read_namespaced_config_map("cm-0", ns)
            fresh.data = {"k": "fresh"}
            core.replace_namespaced_config_map("cm-0", ns, fresh)
            stale.data = {"k": "stale"}
            try:
                core.replace_namespaced_config_map("cm-0", ns, stale)
                out({"status": 200})
            except ApiException as e:
                out({"status": e.status, "body": json.loads(e.body)})
            """);

        Assert.Equal(409, lines[0]!["status"]!.GetValue<int>());
        Assert.Equal("Conflict", lines[0]!["body"]!["reason"]!.GetValue<string>());
        Assert.Equal("fresh", (await _fixture.Client.CoreV1.ReadNamespacedConfigMapAsync("cm-0", ns)).Data["k"]);
    }

    [Fact]
    public async Task Strategic_merge_and_json_patches_change_the_object()
    {
        var ns = await _fixture.NewNamespaceAsync("py-patch");
        await CreateConfigMapsAsync(ns, 1);

        await _python.RunAsync(ns, """
            core.patch_namespaced_config_map("cm-0", ns, {"metadata": {"labels": {"strategic": "yes"}}})
            core.patch_namespaced_config_map("cm-0", ns, [{"op": "add", "path": "/data/json", "value": "yes"}])
            # This client version picks the patch type from the body; a merge patch goes through call_api.
            core.api_client.call_api("/api/v1/namespaces/{namespace}/configmaps/{name}", "PATCH", {"namespace": ns, "name": "cm-0"},
                header_params={"Content-Type": "application/merge-patch+json", "Accept": "application/json"},
                body={"data": {"merge": "yes"}}, response_type="V1ConfigMap", auth_settings=["BearerToken"])
            out("patched")
            """);

        var configMap = await _fixture.Client.CoreV1.ReadNamespacedConfigMapAsync("cm-0", ns);
        Assert.Equal("yes", configMap.Metadata.Labels["strategic"]);
        Assert.Equal("yes", configMap.Data["json"]);
        Assert.Equal("yes", configMap.Data["merge"]);
        Assert.Equal("0", configMap.Data["k"]);
    }

    private async Task CreateConfigMapsAsync(string ns, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await _fixture.Client.CoreV1.CreateNamespacedConfigMapAsync(
                new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"cm-{i}" }, Data = new Dictionary<string, string> { ["k"] = $"{i}" } }, ns);
        }
    }
}
