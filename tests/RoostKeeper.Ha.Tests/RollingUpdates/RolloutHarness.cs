using k8s;
using k8s.Models;
using RoostKeeper.Ha.RollingUpdates;
using RoostKeeper.Ha.Testing;
using static RoostKeeper.Ha.TestUtilities.ControllerTestKit;

namespace RoostKeeper.Ha.Tests.RollingUpdates;

/// <summary>
/// A SimulatedCluster with a Deployment "roost" on roost:v1, fully rolled out, and a manager on its own client.
/// Pods start in 100 ms and the manager polls every 50 ms, so a whole update with rollback takes a second or two.
/// </summary>
internal sealed class RolloutHarness : IAsyncDisposable
{
    public const string Name = "roost";

    private RolloutHarness(TestCluster cluster, IKubernetes client, string ns, RollingUpdateManager manager)
    {
        Cluster = cluster;
        Client = client;
        Namespace = ns;
        Manager = manager;
    }

    public TestCluster Cluster { get; }

    public SimulatedCluster Simulation => Cluster.Simulation;

    /// <summary>The test's own client (never faulted).</summary>
    public IKubernetes Client { get; }

    public string Namespace { get; }

    /// <summary>A manager on the client named "manager" (the one faults target).</summary>
    public RollingUpdateManager Manager { get; }

    public static async Task<RolloutHarness> StartAsync(int replicas = 4, Action<V1DeploymentSpec>? configure = null, TimeSpan? podStartupDelay = null)
    {
        var cluster = await TestCluster.StartAsync(new SimulatedClusterOptions { PodStartupDelay = podStartupDelay ?? TimeSpan.FromMilliseconds(100) });
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await client.AppsV1.CreateNamespacedDeploymentAsync(Deployment(Name, "roost:v1", replicas, configure), ns);
        await WaitForRolloutAsync(client, ns, Name);
        return new RolloutHarness(cluster, client, ns, new RollingUpdateManager(cluster.CreateClient("manager")));
    }

    /// <summary>Options with short timings for tests; everything else at its default.</summary>
    public static RollingUpdateOptions Fast(Action<RollingUpdateOptions>? configure = null)
    {
        var options = new RollingUpdateOptions
        {
            PollInterval = TimeSpan.FromMilliseconds(50),
            ReadinessTimeout = TimeSpan.FromSeconds(20),
            Timeout = TimeSpan.FromSeconds(60),
            RollbackTimeout = TimeSpan.FromSeconds(60),
        };
        configure?.Invoke(options);
        return options;
    }

    public Task<V1Deployment> DeploymentAsync() => Client.AppsV1.ReadNamespacedDeploymentAsync(Name, Namespace);

    public async Task<IList<V1Pod>> PodsAsync() => (await Client.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: "app=" + Name)).Items;

    public async Task<IList<V1ReplicaSet>> ReplicaSetsAsync() => (await Client.AppsV1.ListNamespacedReplicaSetAsync(Namespace, labelSelector: "app=" + Name)).Items;

    /// <summary>What `kubectl rollout history` prints: each ReplicaSet's revision and change-cause, by revision.</summary>
    public async Task<IReadOnlyList<(long Revision, string? ChangeCause, string Image)>> HistoryAsync() =>
        (await ReplicaSetsAsync())
            .Select(rs => (
                long.Parse(rs.Metadata.Annotations[RevisionAnnotation], System.Globalization.CultureInfo.InvariantCulture),
                rs.Metadata.Annotations.TryGetValue("kubernetes.io/change-cause", out var cause) ? cause : null,
                rs.Spec.Template.Spec.Containers[0].Image))
            .OrderBy(h => h.Item1)
            .ToList();

    /// <summary>Waits until every pod runs <paramref name="image"/> and is ready, and no other pod is left.</summary>
    public Task<IList<V1Pod>> WaitForPodsAsync(string image, int count) =>
        WaitForAsync(PodsAsync, pods => pods.Count == count && pods.All(p => Image(p) == image && IsReady(p)), $"{count} ready pods of {image}");

    public async ValueTask DisposeAsync()
    {
        Manager.Dispose();
        await Cluster.DisposeAsync();
    }
}
