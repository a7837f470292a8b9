using System.Net;
using k8s;
using k8s.Models;
using static RoostKeeper.Ha.Testing.Tests.Conformance.Conformance;

namespace RoostKeeper.Ha.Testing.Tests.Conformance;

/// <summary>
/// Server dry run (<c>dryRun=All</c>) for create, update, patch and delete: validation and defaulting run
/// and the answer shows the result, but nothing is stored, no watch event is sent and no resourceVersion moves.
/// </summary>
public sealed class DryRunTests
{
    private const string All = "All";

    [Fact]
    public async Task Create_dry_run_answers_the_object_without_a_resourceVersion_and_stores_nothing()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();

        var answer = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("planned"), ns, dryRun: All);

        Assert.Equal("planned", answer.Metadata.Name);
        Assert.Equal(ns, answer.Metadata.NamespaceProperty);
        Assert.NotNull(answer.Metadata.CreationTimestamp);
        Assert.True(string.IsNullOrEmpty(answer.Metadata.ResourceVersion));
        Assert.True(await IsGoneAsync(() => client.CoreV1.ReadNamespacedConfigMapAsync("planned", ns)));
    }

    [Fact]
    public async Task Update_and_patch_dry_runs_answer_the_change_and_keep_the_stored_object()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var stored = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), ns);

        var change = await client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        change.Data["k"] = "replaced";
        var replaced = await client.CoreV1.ReplaceNamespacedConfigMapAsync(change, "settings", ns, dryRun: All);
        var patched = await client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("""{"data":{"k":"patched"}}""", V1Patch.PatchType.MergePatch), "settings", ns, dryRun: All);

        Assert.Equal("replaced", replaced.Data["k"]);
        Assert.Equal("patched", patched.Data["k"]);
        var after = await client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        Assert.Equal("v", after.Data["k"]);
        Assert.Equal(stored.Metadata.ResourceVersion, after.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Delete_dry_run_keeps_the_object()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var stored = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), ns);

        await client.CoreV1.DeleteNamespacedConfigMapAsync("settings", ns, dryRun: All);
        await client.CoreV1.DeleteCollectionNamespacedConfigMapAsync(ns, dryRun: All);

        Assert.Equal(stored.Metadata.ResourceVersion, (await client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns)).Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Dry_runs_send_no_watch_event()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var stored = await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), ns);

        using var cts = new CancellationTokenSource(Patience);
        var watch = CollectAsync(
            client.CoreV1.WatchListNamespacedConfigMapAsync(ns, resourceVersion: stored.Metadata.ResourceVersion, cancellationToken: cts.Token),
            e => e.Any(x => x.Object.Metadata.Name == "marker"),
            cts.Token);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("planned"), ns, dryRun: All);
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"k":"x"}}""", V1Patch.PatchType.MergePatch), "settings", ns, dryRun: All);
        await client.CoreV1.DeleteNamespacedConfigMapAsync("settings", ns, dryRun: All);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("marker"), ns);

        var events = await watch;
        var only = Assert.Single(events);
        Assert.Equal((WatchEventType.Added, "marker"), (only.Type, only.Object.Metadata.Name));
    }

    [Fact]
    public async Task A_dry_run_still_validates_and_reports_conflicts()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), ns);

        await ThrowsStatusAsync(HttpStatusCode.Conflict, "AlreadyExists", () => client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), ns, dryRun: All));
        await ThrowsStatusAsync(HttpStatusCode.UnprocessableEntity, "Invalid", () => client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("Not_A_Name"), ns, dryRun: All));
        await ThrowsStatusAsync(HttpStatusCode.NotFound, "NotFound", () => client.CoreV1.DeleteNamespacedConfigMapAsync("missing", ns, dryRun: All));
    }

    [Fact]
    public async Task An_unknown_dryRun_value_is_refused_with_400()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();

        await ThrowsStatusAsync(HttpStatusCode.BadRequest, "BadRequest", () => client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("settings"), ns, dryRun: "Everything"));
        Assert.True(await IsGoneAsync(() => client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns)));
    }

    [SimulatedOnlyFact("fault injection and the request log")]
    public async Task A_write_failed_by_a_fault_is_not_a_persisted_write()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient("restore");
        var ns = await cluster.CreateNamespaceAsync();
        cluster.Simulation.Faults.FailNext("restore", HttpStatusCode.ServiceUnavailable);

        await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a"), ns));

        Assert.Equal(1, cluster.Simulation.Requests.Count("restore", "create", "configmaps"));
        Assert.Equal(0, cluster.Simulation.Requests.CountPersistedWrites("restore"));
        Assert.Equal(0, cluster.Simulation.Requests.CountDryRuns("restore"));
    }

    [SimulatedOnlyFact("the request log")]
    public async Task A_dryRun_in_DeleteOptions_is_a_dry_run_too()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient("restore");
        var ns = await cluster.CreateNamespaceAsync();
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("kept"), ns);
        cluster.Simulation.Requests.Reset();

        await client.CoreV1.DeleteNamespacedConfigMapAsync("kept", ns, new V1DeleteOptions { DryRun = [All] });

        Assert.NotNull(await client.CoreV1.ReadNamespacedConfigMapAsync("kept", ns));
        Assert.Equal(1, cluster.Simulation.Requests.CountDryRuns("restore", "delete", "configmaps"));
        Assert.Equal(0, cluster.Simulation.Requests.CountPersistedWrites());
    }

    [SimulatedOnlyFact("the request log")]
    public async Task The_request_log_counts_dry_runs_apart_from_persisted_writes()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient("restore");
        var ns = await cluster.CreateNamespaceAsync();
        var version = cluster.Simulation.ResourceVersion;

        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a"), ns, dryRun: All);
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("b"), ns, dryRun: All);

        var requests = cluster.Simulation.Requests;
        Assert.Equal(2, requests.CountDryRuns("restore"));
        Assert.Equal(2, requests.CountDryRuns("restore", "create", "configmaps"));
        Assert.Equal(2, requests.Count("restore", "create", "configmaps"));
        Assert.Equal(0, requests.CountPersistedWrites("restore"));
        Assert.Equal(version, cluster.Simulation.ResourceVersion);

        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("c"), ns);
        await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("c"), ns));
        Assert.Equal(1, requests.CountPersistedWrites("restore"));
        Assert.Equal(1, requests.CountPersistedWrites("restore", "configmaps"));
        Assert.Equal(2, requests.CountPersistedWrites()); // every client: the namespace and the ConfigMap
    }
}
