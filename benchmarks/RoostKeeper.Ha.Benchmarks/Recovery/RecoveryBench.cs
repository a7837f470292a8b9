using k8s;
using RoostKeeper.Ha.Recovery;
using RoostKeeper.Ha.Recovery.Stores;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Benchmarks.Recovery;

/// <summary>
/// The set-up both BenchmarkDotNet recovery classes share: a SimulatedCluster seeded with the workload's
/// ManagedRoosts, the benchmark's client ("bench"), and a RecoveryManager backing them up (pages of 500) to a
/// temporary directory store.
/// </summary>
internal sealed class RecoveryBench : IAsyncDisposable
{
    private RecoveryBench(SimulatedCluster cluster, IKubernetes client, DirectoryInfo directory, RecoveryManager manager)
    {
        Cluster = cluster;
        Client = client;
        Directory = directory;
        Manager = manager;
    }

    public SimulatedCluster Cluster { get; }

    public IKubernetes Client { get; }

    public DirectoryInfo Directory { get; }

    public RecoveryManager Manager { get; }

    public static async Task<RecoveryBench> StartAsync(int objects, Action<BackupOptions> configure)
    {
        var cluster = await SimulatedCluster.StartAsync();
        var client = cluster.CreateClient("bench");
        await RecoveryWorkload.SeedAsync(client, objects);
        var directory = System.IO.Directory.CreateTempSubdirectory("roostha-bench");
        var options = new BackupOptions { PageSize = 500 };
        options.Resources.Add(new BackupResource(RecoveryWorkload.Group, RecoveryWorkload.Version, RecoveryWorkload.Plural));
        configure(options);
        return new RecoveryBench(cluster, client, directory, new RecoveryManager(client, options, new DirectoryBackupStore(directory.FullName)));
    }

    public async ValueTask DisposeAsync()
    {
        Directory.Delete(recursive: true);
        await Cluster.DisposeAsync();
    }
}
