using System.Net;
using k8s;
using k8s.Models;
using RoostKeeper.Ha.Testing;
using static RoostKeeper.Ha.Testing.Tests.Conformance.Conformance;

namespace RoostKeeper.Ha.Testing.Tests.Conformance;

/// <summary>The SimulatedCluster's per-client faults, as a KubernetesClient user experiences them.</summary>
public sealed class FaultTests
{
    [SimulatedOnlyFact("fault injection")]
    public async Task Partition_makes_requests_fail_with_HttpRequestException_until_Heal()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient("replica-a");
        var ns = await cluster.CreateNamespaceAsync();
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cm"), ns);

        cluster.Simulation.Faults.Partition("replica-a");
        Assert.True(cluster.Simulation.Faults.IsPartitioned("replica-a"));
        await Assert.ThrowsAsync<HttpRequestException>(() => client.CoreV1.ReadNamespacedConfigMapAsync("cm", ns));
        await Assert.ThrowsAsync<HttpRequestException>(() => client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("during"), ns));

        cluster.Simulation.Faults.Heal("replica-a");
        Assert.False(cluster.Simulation.Faults.IsPartitioned("replica-a"));
        Assert.Equal("cm", (await client.CoreV1.ReadNamespacedConfigMapAsync("cm", ns)).Metadata.Name);

        // The write attempted during the partition never reached the store.
        await ThrowsStatusAsync(HttpStatusCode.NotFound, "NotFound", () => client.CoreV1.ReadNamespacedConfigMapAsync("during", ns));
    }

    [SimulatedOnlyFact("fault injection")]
    public async Task Partition_drops_an_open_watch()
    {
        await using var cluster = await TestCluster.StartAsync();
        var watcher = cluster.CreateClient("watcher");
        var writer = cluster.CreateClient("writer");
        var ns = await cluster.CreateNamespaceAsync();
        var start = (await writer.CoreV1.ListNamespacedConfigMapAsync(ns)).Metadata.ResourceVersion;

        using var cts = new CancellationTokenSource(Patience);
        var firstEvent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = Task.Run(async () =>
        {
            await foreach (var _ in watcher.CoreV1.WatchListNamespacedConfigMapAsync(ns, resourceVersion: start, cancellationToken: cts.Token))
            {
                firstEvent.TrySetResult();
            }
        });
        await writer.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("open"), ns);
        await firstEvent.Task.WaitAsync(cts.Token);

        cluster.Simulation.Faults.Partition("watcher");

        var dropped = await Record.ExceptionAsync(() => watch.WaitAsync(cts.Token));
        Assert.False(cts.IsCancellationRequested, "the partition, not the test's timeout, must end the watch");
        Assert.True(dropped is IOException or HttpRequestException, $"expected a transport error, got {dropped?.GetType().Name ?? "a clean end"}");

        // The writer is not partitioned, and the watcher can resume after Heal.
        var rv = (await writer.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("during"), ns)).Metadata.ResourceVersion;
        cluster.Simulation.Faults.Heal("watcher");
        await writer.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("after"), ns);
        var resumed = await CollectAsync(watcher.CoreV1.WatchListNamespacedConfigMapAsync(ns, resourceVersion: rv, cancellationToken: cts.Token), e => e.Count == 1, cts.Token);
        Assert.Equal("after", resumed.Single().Object.Metadata.Name);
    }

    [SimulatedOnlyFact("fault injection")]
    public async Task Blackhole_partition_hangs_requests_until_the_client_cancels()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient("replica-a");
        var ns = await cluster.CreateNamespaceAsync();

        cluster.Simulation.Faults.Partition("replica-a", PartitionMode.Blackhole);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: timeout.Token));

        cluster.Simulation.Faults.Heal("replica-a");
        Assert.NotNull(await client.CoreV1.ListNamespacedConfigMapAsync(ns));
    }

    [SimulatedOnlyFact("fault injection")]
    public async Task Blackholed_request_fails_when_the_partition_heals()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient("replica-a");
        var ns = await cluster.CreateNamespaceAsync();
        await client.CoreV1.ListNamespacedConfigMapAsync(ns);
        cluster.Simulation.Faults.Partition("replica-a", PartitionMode.Blackhole);

        using var cts = new CancellationTokenSource(Patience);
        var hanging = client.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: cts.Token);
        await EventuallyAsync(() => Task.FromResult(cluster.Simulation.Requests.Count("replica-a", "list", "configmaps") == 2), "the hanging request reached the server");
        Assert.False(hanging.IsCompleted);

        cluster.Simulation.Faults.Heal("replica-a");
        await Assert.ThrowsAsync<HttpRequestException>(() => hanging);
        Assert.False(cts.IsCancellationRequested);
    }

    [SimulatedOnlyFact("fault injection")]
    public async Task Latency_longer_than_the_client_timeout_makes_the_request_fail()
    {
        await using var cluster = await TestCluster.StartAsync();
        var slow = cluster.CreateClient("slow");
        var ns = await cluster.CreateNamespaceAsync();
        await slow.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cm"), ns);

        cluster.Simulation.Faults.AddLatency("slow", TimeSpan.FromMilliseconds(300));
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(50)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => slow.CoreV1.ReadNamespacedConfigMapAsync("cm", ns, cancellationToken: timeout.Token));
        }

        // Without a timeout the request waits out the latency and succeeds; removing the latency restores it.
        Assert.Equal("cm", (await slow.CoreV1.ReadNamespacedConfigMapAsync("cm", ns)).Metadata.Name);
        cluster.Simulation.Faults.AddLatency("slow", TimeSpan.Zero);
        using (var timeout = new CancellationTokenSource(Patience))
        {
            Assert.Equal("cm", (await slow.CoreV1.ReadNamespacedConfigMapAsync("cm", ns, cancellationToken: timeout.Token)).Metadata.Name);
        }
    }

    [SimulatedOnlyFact("fault injection")]
    public async Task Latency_on_one_client_lets_another_clients_later_request_finish_first()
    {
        await using var cluster = await TestCluster.StartAsync();
        var slow = cluster.CreateClient("slow");
        var fast = cluster.CreateClient("fast");
        var ns = await cluster.CreateNamespaceAsync();
        await fast.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cm"), ns);
        await slow.CoreV1.ReadNamespacedConfigMapAsync("cm", ns);

        cluster.Simulation.Faults.AddLatency("slow", TimeSpan.FromSeconds(2));
        var delayed = slow.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"k":"slow"}}""", V1Patch.PatchType.MergePatch), "cm", ns);
        var quick = await fast.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"k":"fast"}}""", V1Patch.PatchType.MergePatch), "cm", ns);
        Assert.False(delayed.IsCompleted, "the delayed request must still be waiting out its latency");
        var late = await delayed;

        Assert.True(Rv(late) > Rv(quick), "the delayed write reaches the store after the later, undelayed one");
        Assert.Equal("slow", (await fast.CoreV1.ReadNamespacedConfigMapAsync("cm", ns)).Data["k"]);
    }

    [SimulatedOnlyFact("fault injection")]
    public async Task FailNext_fails_exactly_that_many_requests_with_a_Status_body_then_succeeds()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient("flaky");
        var ns = await cluster.CreateNamespaceAsync();
        await client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cm"), ns);

        cluster.Simulation.Faults.FailNext("flaky", HttpStatusCode.InternalServerError, 3);
        for (var i = 0; i < 3; i++)
        {
            await ThrowsStatusAsync(HttpStatusCode.InternalServerError, "InternalError", () => client.CoreV1.ReadNamespacedConfigMapAsync("cm", ns));
        }

        Assert.Equal("cm", (await client.CoreV1.ReadNamespacedConfigMapAsync("cm", ns)).Metadata.Name);
        Assert.Equal(4, cluster.Simulation.Requests.Count("flaky", "get", "configmaps"));
    }

    [SimulatedOnlyFact("fault injection")]
    public async Task FailNext_with_other_codes_carries_their_reasons_and_failed_writes_change_nothing()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient("flaky");
        var ns = await cluster.CreateNamespaceAsync();

        cluster.Simulation.Faults.FailNext("flaky", HttpStatusCode.ServiceUnavailable);
        cluster.Simulation.Faults.FailNext("flaky", HttpStatusCode.TooManyRequests);
        await ThrowsStatusAsync(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable", () => client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("x"), ns));
        await ThrowsStatusAsync(HttpStatusCode.TooManyRequests, "TooManyRequests", () => client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("x"), ns));
        await ThrowsStatusAsync(HttpStatusCode.NotFound, "NotFound", () => client.CoreV1.ReadNamespacedConfigMapAsync("x", ns));
    }

    [SimulatedOnlyFact("fault injection")]
    public async Task Faults_are_per_client()
    {
        await using var cluster = await TestCluster.StartAsync();
        var a = cluster.CreateClient("replica-a");
        var b = cluster.CreateClient("replica-b");
        var ns = await cluster.CreateNamespaceAsync();

        cluster.Simulation.Faults.Partition("replica-a");
        cluster.Simulation.Faults.FailNext("replica-c", HttpStatusCode.InternalServerError, 5);

        await Assert.ThrowsAsync<HttpRequestException>(() => a.CoreV1.ListNamespacedConfigMapAsync(ns));
        var created = await b.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease { Metadata = Meta("lease"), Spec = new V1LeaseSpec { HolderIdentity = "replica-b" } }, ns);
        Assert.Equal("replica-b", created.Spec.HolderIdentity);
        Assert.False(cluster.Simulation.Faults.IsPartitioned("replica-b"));

        cluster.Simulation.Faults.Clear("replica-a");
        Assert.Single((await a.CoordinationV1.ListNamespacedLeaseAsync(ns)).Items);
    }

    [SimulatedOnlyFact("fault injection")]
    public async Task Clear_removes_partition_latency_and_queued_failures()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient("replica-a");
        var ns = await cluster.CreateNamespaceAsync();

        cluster.Simulation.Faults.FailNext("replica-a", HttpStatusCode.InternalServerError, 10);
        cluster.Simulation.Faults.AddLatency("replica-a", TimeSpan.FromMinutes(5));
        cluster.Simulation.Faults.Partition("replica-a");
        cluster.Simulation.Faults.Clear("replica-a");

        using var timeout = new CancellationTokenSource(Patience);
        Assert.NotNull(await client.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: timeout.Token));
    }

    [SimulatedOnlyFact("request counting")]
    public async Task Requests_are_counted_per_client_verb_and_resource()
    {
        await using var cluster = await TestCluster.StartAsync();
        var a = cluster.CreateClient("replica-a");
        var b = cluster.CreateClient("replica-b");
        var ns = await cluster.CreateNamespaceAsync();
        var requests = cluster.Simulation.Requests;
        requests.Reset();

        var lease = await a.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease { Metadata = Meta("l"), Spec = new V1LeaseSpec { HolderIdentity = "a" } }, ns);
        lease = await a.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, "l", ns);
        await a.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, "l", ns);
        await a.CoordinationV1.ReadNamespacedLeaseAsync("l", ns);
        await b.CoordinationV1.ListNamespacedLeaseAsync(ns);
        await b.CoreV1.ListNamespacedConfigMapAsync(ns);
        await b.AppsV1.CreateNamespacedDeploymentAsync(Deployment("d"), ns);
        await b.AppsV1.PatchNamespacedDeploymentStatusAsync(new V1Patch("""{"status":{"replicas":1}}""", V1Patch.PatchType.MergePatch), "d", ns);
        await b.CoordinationV1.DeleteNamespacedLeaseAsync("l", ns);

        Assert.Equal(4, requests.Count("replica-a"));
        Assert.Equal(1, requests.Count("replica-a", "create", "leases"));
        Assert.Equal(2, requests.Count("replica-a", "update", "leases"));
        Assert.Equal(1, requests.Count("replica-a", "get", "leases"));
        Assert.Equal(0, requests.Count("replica-a", "list"));
        Assert.Equal(5, requests.Count("replica-b"));
        Assert.Equal(2, requests.Count("replica-b", "list"));
        Assert.Equal(1, requests.Count("replica-b", "list", "configmaps"));
        Assert.Equal(1, requests.Count("replica-b", "patch", "deployments/status"));
        Assert.Equal(0, requests.Count("replica-b", "patch", "deployments"));
        Assert.Equal(1, requests.Count("replica-b", "delete", "leases"));
        Assert.Equal(0, requests.Count("nobody"));
    }

    [SimulatedOnlyFact("request counting")]
    public async Task Requests_failed_by_faults_are_counted_too()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient("replica-a");
        var ns = await cluster.CreateNamespaceAsync();
        cluster.Simulation.Requests.Reset();

        cluster.Simulation.Faults.FailNext("replica-a", HttpStatusCode.InternalServerError);
        await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => client.CoreV1.ListNamespacedConfigMapAsync(ns));
        cluster.Simulation.Faults.Partition("replica-a");
        await Assert.ThrowsAsync<HttpRequestException>(() => client.CoreV1.ListNamespacedConfigMapAsync(ns));

        Assert.Equal(2, cluster.Simulation.Requests.Count("replica-a", "list", "configmaps"));
    }

    [SimulatedOnlyFact("watch counting")]
    public async Task Watches_are_counted_as_watch_not_list()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient("watcher");
        var ns = await cluster.CreateNamespaceAsync();
        await cluster.CreateClient("writer").CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cm"), ns);
        cluster.Simulation.Requests.Reset();

        using var cts = new CancellationTokenSource(Patience);
        await CollectAsync(client.CoreV1.WatchListNamespacedConfigMapAsync(ns, timeoutSeconds: 1, cancellationToken: cts.Token), _ => false, cts.Token);

        Assert.Equal(1, cluster.Simulation.Requests.Count("watcher", "watch", "configmaps"));
        Assert.Equal(0, cluster.Simulation.Requests.Count("watcher", "list"));
    }
}
