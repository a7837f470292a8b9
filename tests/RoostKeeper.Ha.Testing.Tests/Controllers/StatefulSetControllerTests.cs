using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using RoostKeeper.Ha.Testing.Tests.Clients;
using Xunit.Abstractions;

namespace RoostKeeper.Ha.Testing.Tests.Controllers;

/// <summary>
/// The StatefulSet controller through kubectl and KubernetesClient: ordered pods <c>NAME-0…</c> (OrderedReady one
/// after the other, Parallel all at once), scale-down from the highest ordinal, a RollingUpdate held at a partition,
/// ControllerRevisions, the status <c>kubectl rollout status statefulset</c> reads, and its events.
/// </summary>
public sealed class StatefulSetControllerTests : IClassFixture<KubectlCluster>
{
    private readonly KubectlCluster _fixture;
    private readonly Kubectl _kubectl;

    public StatefulSetControllerTests(KubectlCluster fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _kubectl = new Kubectl(fixture, output);
    }

    private static string Manifest(string ns, string image, int replicas, string policy = "OrderedReady", int partition = 0) => $"""
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: db
          namespace: {ns}
        spec:
          serviceName: db
          replicas: {replicas}
          podManagementPolicy: {policy}
          updateStrategy:
            type: RollingUpdate
            rollingUpdate:
              partition: {partition}
          selector:
            matchLabels: {"{"}app: db{"}"}
          template:
            metadata:
              labels: {"{"}app: db{"}"}
            spec:
              containers:
              - name: db
                image: {image}
        """;

    [Fact]
    public async Task Ordered_pods_are_created_in_order_and_removed_from_the_highest_ordinal()
    {
        var ns = await _fixture.NewNamespaceAsync("sts-order");
        var client = _fixture.Client;
        var added = new ConcurrentQueue<string>();
        var deleted = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var watching = Task.Run(async () =>
        {
            try
            {
                await foreach (var (type, pod) in client.CoreV1.WatchListNamespacedPodAsync(ns, cancellationToken: stop.Token))
                {
                    (type == WatchEventType.Added ? added : type == WatchEventType.Deleted ? deleted : null)?.Enqueue(pod.Metadata.Name);
                }
            }
            catch (OperationCanceledException)
            {
                // Stopped at the end of the test.
            }
        });

        await _kubectl.RunAsync("apply", "-f", _fixture.WriteFile("sts.yaml", Manifest(ns, "db:v1", 3)));
        Assert.Contains("partitioned roll out complete: 3 new pods have been updated", await _kubectl.RunAsync("rollout", "status", "statefulset/db", "-n", ns, "--timeout=60s"));
        Assert.Equal(["db-0", "db-1", "db-2"], added.ToArray());

        var pod = await client.CoreV1.ReadNamespacedPodAsync("db-1", ns);
        Assert.Equal(("db-1", "db", "1"), (pod.Spec.Hostname, pod.Spec.Subdomain, pod.Metadata.Labels["apps.kubernetes.io/pod-index"]));
        Assert.Equal("db", Assert.Single(pod.Metadata.OwnerReferences).Name);

        await _kubectl.RunAsync("scale", "statefulset/db", "-n", ns, "--replicas=1");
        await WaitAsync(async () => (await client.CoreV1.ListNamespacedPodAsync(ns)).Items.Count == 1, "scale down to one pod");

        // The list can show one pod before the watch has delivered the second deletion: wait for the events, then check their order.
        await WaitAsync(() => Task.FromResult(deleted.Count >= 2), "both deletions on the watch");
        Assert.Equal(["db-2", "db-1"], deleted.ToArray());
        Assert.Equal("db-0", Assert.Single((await client.CoreV1.ListNamespacedPodAsync(ns)).Items).Metadata.Name);

        var events = (await client.CoreV1.ListNamespacedEventAsync(ns)).Items.Select(e => $"{e.Reason} {e.Message}").ToList();
        Assert.Contains("SuccessfulCreate create Pod db-0 in StatefulSet db successful", events);
        Assert.Contains("SuccessfulDelete delete Pod db-2 in StatefulSet db successful", events);
        await stop.CancelAsync();
        await watching;
    }

    [Fact]
    public async Task Ordered_ready_waits_for_each_pod_and_parallel_does_not()
    {
        var ns = await _fixture.NewNamespaceAsync("sts-parallel");
        _fixture.Cluster.Images.Set("db:stuck", ImageHealth.NeverReady);
        await _kubectl.RunAsync("apply", "-f", _fixture.WriteFile("sts.yaml", Manifest(ns, "db:stuck", 3, policy: "Parallel")));
        await WaitAsync(async () => (await _fixture.Client.CoreV1.ListNamespacedPodAsync(ns)).Items.Count == 3, "three pods none of which is ready");

        var ordered = await _fixture.NewNamespaceAsync("sts-ordered");
        await _kubectl.RunAsync("apply", "-f", _fixture.WriteFile("sts.yaml", Manifest(ordered, "db:stuck", 3)));
        await WaitAsync(async () => (await _fixture.Client.CoreV1.ReadNamespacedPodAsync("db-0", ordered)).Status?.Phase == "Running", "db-0 running");

        // Once the controller has seen db-0 run without becoming ready (its status counts it), db-1 is still not there.
        await WaitAsync(async () => (await _fixture.Client.AppsV1.ReadNamespacedStatefulSetAsync("db", ordered)).Status?.Replicas == 1, "status of one pod");
        var result = await _kubectl.TryRunAsync("rollout", "status", "statefulset/db", "-n", ordered, "--timeout=1s");
        Assert.Contains("Waiting for 3 pods to be ready", result.Stdout);
        Assert.Single((await _fixture.Client.CoreV1.ListNamespacedPodAsync(ordered)).Items);

        // Ready now: the rest follow, in order.
        _fixture.Cluster.Images.Set("db:stuck", ImageHealth.Healthy);
        await _kubectl.RunAsync("rollout", "status", "statefulset/db", "-n", ordered, "--timeout=60s");
    }

    [Fact]
    public async Task A_rolling_update_replaces_pods_from_the_highest_ordinal_down_to_the_partition()
    {
        var ns = await _fixture.NewNamespaceAsync("sts-update");
        var client = _fixture.Client;
        await _kubectl.RunAsync("apply", "-f", _fixture.WriteFile("sts.yaml", Manifest(ns, "db:v1", 3, partition: 1)));
        await _kubectl.RunAsync("rollout", "status", "statefulset/db", "-n", ns, "--timeout=60s");
        var first = (await client.AppsV1.ReadNamespacedStatefulSetAsync("db", ns)).Status;
        Assert.Equal(first.CurrentRevision, first.UpdateRevision);

        await _kubectl.RunAsync("set", "image", "statefulset/db", "-n", ns, "db=db:v2");
        Assert.Contains("partitioned roll out complete: 2 new pods have been updated", await _kubectl.RunAsync("rollout", "status", "statefulset/db", "-n", ns, "--timeout=60s"));
        var images = (await client.CoreV1.ListNamespacedPodAsync(ns)).Items.OrderBy(p => p.Metadata.Name).Select(p => p.Spec.Containers[0].Image).ToList();
        Assert.Equal(["db:v1", "db:v2", "db:v2"], images);
        var status = (await client.AppsV1.ReadNamespacedStatefulSetAsync("db", ns)).Status;
        Assert.Equal((2, 1, first.CurrentRevision), (status.UpdatedReplicas ?? 0, status.CurrentReplicas ?? 0, status.CurrentRevision));
        Assert.NotEqual(status.CurrentRevision, status.UpdateRevision);

        var revisions = (await client.AppsV1.ListNamespacedControllerRevisionAsync(ns)).Items.OrderBy(r => r.Revision).ToList();
        Assert.Equal([1L, 2L], revisions.Select(r => r.Revision));
        Assert.Equal([first.CurrentRevision, status.UpdateRevision], revisions.Select(r => r.Metadata.Name));

        await _kubectl.RunAsync("patch", "statefulset/db", "-n", ns, "--type=merge", "-p", """{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}""");
        Assert.Contains("partitioned roll out complete: 3 new pods have been updated", await _kubectl.RunAsync("rollout", "status", "statefulset/db", "-n", ns, "--timeout=60s"));
        await WaitAsync(async () => (await client.AppsV1.ReadNamespacedStatefulSetAsync("db", ns)).Status is { } s && s.CurrentRevision == s.UpdateRevision && s.CurrentReplicas == 3, "the update revision to become current");
        Assert.Empty(_fixture.Cluster.Errors);
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }
}
