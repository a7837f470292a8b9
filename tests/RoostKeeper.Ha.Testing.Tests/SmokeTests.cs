using k8s;
using k8s.Models;

namespace RoostKeeper.Ha.Testing.Tests;

public sealed class SmokeTests
{
    [Fact]
    public async Task ConfigMap_round_trips_through_KubernetesClient()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        var created = await client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "roost" }, Data = new Dictionary<string, string> { ["a"] = "1" } }, ns);
        Assert.NotNull(created.Metadata.Uid);
        var read = await client.CoreV1.ReadNamespacedConfigMapAsync("roost", ns);
        Assert.Equal("1", read.Data["a"]);
        Assert.Equal(created.Metadata.ResourceVersion, read.Metadata.ResourceVersion);

        var events = new List<(WatchEventType, string)>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var watch = Task.Run(async () =>
        {
            await foreach (var (type, cm) in client.CoreV1.WatchListNamespacedConfigMapAsync(ns, resourceVersion: read.Metadata.ResourceVersion, cancellationToken: cts.Token))
            {
                events.Add((type, cm.Metadata.Name));
                if (events.Count == 2)
                {
                    break;
                }
            }
        });
        read.Data["a"] = "2";
        await client.CoreV1.ReplaceNamespacedConfigMapAsync(read, "roost", ns);
        await client.CoreV1.DeleteNamespacedConfigMapAsync("roost", ns);
        await watch;
        Assert.Equal([(WatchEventType.Modified, "roost"), (WatchEventType.Deleted, "roost")], events);
    }
}
