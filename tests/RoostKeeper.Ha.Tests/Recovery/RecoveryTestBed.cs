using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using RoostKeeper.Ha.Recovery;
using RoostKeeper.Ha.Recovery.Encryption;
using RoostKeeper.Ha.Recovery.Stores;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Tests.Recovery;

/// <summary>
/// A SimulatedCluster with the managedroosts.roost.birb.party v1alpha1 CRD installed, a temporary backup
/// directory, and helpers to seed ManagedRoosts, ConfigMaps and Secrets, snapshot them and count writes.
/// </summary>
public sealed class RecoveryTestBed : IAsyncDisposable
{
    public const string Group = ManagedRoostCrd.Group;
    public const string Version = ManagedRoostCrd.Version;
    public const string Plural = ManagedRoostCrd.Plural;
    public const string CrdName = ManagedRoostCrd.Name;
    public const string Label = "app=roost-keeper";

    private static readonly string[] WriteVerbs = ["create", "update", "patch", "delete", "deletecollection"];

    private RecoveryTestBed(SimulatedCluster cluster, string directory)
    {
        Cluster = cluster;
        Directory = directory;
        Admin = cluster.CreateClient("admin");
    }

    public SimulatedCluster Cluster { get; }

    public IKubernetes Admin { get; }

    public string Directory { get; }

    public static BackupEncryptionKey Key { get; } = BackupEncryptionKey.FromBytes(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    public static BackupEncryptionKey OtherKey { get; } = BackupEncryptionKey.FromBytes(Enumerable.Range(100, 32).Select(i => (byte)i).ToArray());

    public static async Task<RecoveryTestBed> StartAsync(SimulatedClusterOptions? options = null)
    {
        var cluster = await SimulatedCluster.StartAsync(options);
        var directory = Path.Combine(Path.GetTempPath(), $"roostha-backups-{Guid.NewGuid():N}");
        var bed = new RecoveryTestBed(cluster, directory);
        await bed.InstallDefinitionAsync();
        return bed;
    }

    public DirectoryBackupStore Store(string? subdirectory = null) => new(subdirectory is null ? Directory : Path.Combine(Directory, subdirectory));

    public static BackupOptions Options(bool secrets = true, bool encrypt = true)
    {
        var options = new BackupOptions { ClusterName = "sim", PageSize = 100 };
        options.Resources.Add(new BackupResource(Group, Version, Plural));
        options.Resources.Add(new BackupResource("", "v1", "configmaps", LabelSelector: Label));
        if (secrets)
        {
            options.Resources.Add(new BackupResource("", "v1", "secrets", LabelSelector: Label));
        }

        if (encrypt)
        {
            options.EncryptionKey = Key;
        }

        return options;
    }

    public RecoveryManager Manager(string client, BackupOptions? options = null, IBackupStore? store = null, TimeProvider? time = null) =>
        new(Cluster.CreateClient(client), options ?? Options(), store ?? Store(), timeProvider: time);

    public Task InstallDefinitionAsync() => Admin.ApiextensionsV1.CreateCustomResourceDefinitionAsync(Definition());

    /// <summary>The ManagedRoost CRD the recovery tests (and the metrics tour) install.</summary>
    public static V1CustomResourceDefinition Definition() => ManagedRoostCrd.Definition();

    /// <summary>Creates namespaces ns-0..ns-(n-1), <paramref name="roosts"/> ManagedRoosts spread over them, and per namespace one labelled ConfigMap, one labelled Secret and one unlabelled ConfigMap.</summary>
    public async Task SeedAsync(int roosts, int namespaces = 4)
    {
        for (var n = 0; n < namespaces; n++)
        {
            var ns = $"ns-{n}";
            await Admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
            await Admin.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
            {
                Metadata = new V1ObjectMeta { Name = "roost-config", Labels = new Dictionary<string, string> { ["app"] = "roost-keeper" }, Annotations = new Dictionary<string, string> { ["note"] = $"config of {ns}" } },
                Data = new Dictionary<string, string> { ["interval"] = "30s", ["namespace"] = ns },
            }, ns);
            await Admin.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "unrelated" }, Data = new Dictionary<string, string> { ["x"] = "y" } }, ns);
            await Admin.CoreV1.CreateNamespacedSecretAsync(new V1Secret
            {
                Metadata = new V1ObjectMeta { Name = "roost-credentials", Labels = new Dictionary<string, string> { ["app"] = "roost-keeper" } },
                Data = new Dictionary<string, byte[]> { ["password"] = System.Text.Encoding.UTF8.GetBytes($"hunter2-{ns}") },
            }, ns);
        }

        await Parallel.ForEachAsync(Enumerable.Range(0, roosts), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            await Admin.CustomObjects.CreateNamespacedCustomObjectAsync(Roost($"roost-{i:D5}", i), Group, Version, $"ns-{i % namespaces}", Plural, cancellationToken: ct));
    }

    public static JsonObject Roost(string name, int i) => new()
    {
        ["apiVersion"] = $"{Group}/{Version}",
        ["kind"] = "ManagedRoost",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["labels"] = new JsonObject { ["app"] = "roost-keeper", ["tier"] = (i % 3).ToString(System.Globalization.CultureInfo.InvariantCulture) },
            ["annotations"] = new JsonObject { ["roost.birb.party/owner"] = $"team-{i % 7}" },
        },
        ["spec"] = new JsonObject { ["replicas"] = (i % 5) + 1, ["image"] = $"registry.birb.party/roost:{i % 4}", ["perches"] = new JsonArray(i, i + 1) },
    };

    /// <summary>What a restore must reproduce, per object: spec, labels, annotations and data.</summary>
    public async Task<SortedDictionary<string, string>> SnapshotAsync()
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        JsonElement roosts;
        try
        {
            roosts = (JsonElement)await Admin.CustomObjects.ListCustomObjectForAllNamespacesAsync(Group, Version, Plural);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            roosts = JsonDocument.Parse("""{"items":[]}""").RootElement; // the CRD is not installed
        }

        foreach (var item in roosts.GetProperty("items").EnumerateArray())
        {
            var obj = JsonNode.Parse(item.GetRawText())!.AsObject();
            result[$"ManagedRoost/{obj["metadata"]!["namespace"]}/{obj["metadata"]!["name"]}"] = Essentials(obj["spec"], obj["metadata"]!["labels"], obj["metadata"]!["annotations"], null);
        }

        foreach (var cm in (await Admin.CoreV1.ListConfigMapForAllNamespacesAsync()).Items)
        {
            result[$"ConfigMap/{cm.Namespace()}/{cm.Name()}"] = Essentials(null, cm.Metadata.Labels, cm.Metadata.Annotations, cm.Data);
        }

        foreach (var secret in (await Admin.CoreV1.ListSecretForAllNamespacesAsync()).Items)
        {
            result[$"Secret/{secret.Namespace()}/{secret.Name()}"] = Essentials(null, secret.Metadata.Labels, secret.Metadata.Annotations, secret.Data);
        }

        return result;
    }

    /// <summary>Deletes the CRD (and with it every ManagedRoost) and every seeded namespace (and everything in them).</summary>
    public async Task DeleteEverythingAsync(int namespaces = 4)
    {
        await Admin.ApiextensionsV1.DeleteCustomResourceDefinitionAsync(CrdName);
        for (var n = 0; n < namespaces; n++)
        {
            await Admin.CoreV1.DeleteNamespaceAsync($"ns-{n}");
        }

        await WaitUntilAsync(async () => (await Admin.CoreV1.ListNamespaceAsync()).Items.All(n => !n.Name().StartsWith("ns-", StringComparison.Ordinal)), "the namespaces are deleted");
    }

    public long Writes(string client) => WriteVerbs.Sum(v => Cluster.Requests.Count(client, v));

    public static Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        Eventually.UntilAsync(condition, what, timeout ?? TimeSpan.FromSeconds(60));

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    private static string Essentials(object? spec, object? labels, object? annotations, object? data) =>
        JsonSerializer.Serialize(new { spec, labels = Sorted(labels), annotations = Sorted(annotations), data = Sorted(data) });

    private static object? Sorted(object? value) => value switch
    {
        IDictionary<string, string> d => new SortedDictionary<string, string>(d, StringComparer.Ordinal),
        IDictionary<string, byte[]> d => new SortedDictionary<string, string>(d.ToDictionary(p => p.Key, p => Convert.ToBase64String(p.Value)), StringComparer.Ordinal),
        JsonObject o => new SortedDictionary<string, string>(o.ToDictionary(p => p.Key, p => p.Value?.ToJsonString() ?? "null"), StringComparer.Ordinal),
        _ => value,
    };
}
