using k8s;
using k8s.Models;
using RoostKeeper.Ha.Testing;

// The sample grows with the library; for now it shows the embedded SimulatedCluster serving KubernetesClient.
await using var cluster = await SimulatedCluster.StartAsync();
var client = cluster.CreateClient("sample");
Console.WriteLine($"SimulatedCluster listening on {cluster.BaseAddress}");
var created = await client.CoreV1.CreateNamespacedConfigMapAsync(
    new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "roost-config" }, Data = new Dictionary<string, string> { ["mode"] = "ha" } },
    "default");
Console.WriteLine($"created configmap {created.Metadata.Name} at resourceVersion {created.Metadata.ResourceVersion}");
