using BenchmarkDotNet.Attributes;
using k8s;
using RoostKeeper.Ha.Recovery;
using RoostKeeper.Ha.Recovery.Stores;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Benchmarks.Recovery;

/// <summary>
/// A full backup of N ManagedRoosts (tar, per-object and archive SHA-256, manifest, directory store with fsync;
/// read-back verification off, as in the console runner) against the baseline a user would otherwise write: a
/// paged list (limit 500) that serializes each object. Target: backup ≤ 1.3× the baseline.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(RecoveryJobConfig))]
public class BackupBenchmarks
{
    private SimulatedCluster? _cluster;
    private IKubernetes? _client;
    private RecoveryManager? _manager;
    private DirectoryInfo? _directory;

    /// <summary>Objects backed up.</summary>
    [Params(1000, 10000, 50000)]
    public int Objects { get; set; }

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        _cluster = await SimulatedCluster.StartAsync();
        _client = _cluster.CreateClient("bench");
        await RecoveryWorkload.SeedAsync(_client, Objects);
        _directory = Directory.CreateTempSubdirectory("roostha-bench");
        var options = new BackupOptions { PageSize = 500, VerifyAfterWrite = false };
        options.Resources.Add(new BackupResource(RecoveryWorkload.Group, RecoveryWorkload.Version, RecoveryWorkload.Plural));
        _manager = new RecoveryManager(_client, options, new DirectoryBackupStore(_directory.FullName));
    }

    [GlobalCleanup]
    public async Task CleanUpAsync()
    {
        _directory?.Delete(recursive: true);
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    /// <summary>Each backup's files go, so the disk does not fill over the iterations.</summary>
    [IterationCleanup]
    public void RemoveBackups()
    {
        foreach (var file in _directory!.EnumerateFiles())
        {
            file.Delete();
        }
    }

    [Benchmark(Baseline = true, Description = "List (paged) + serialize")]
    public Task ListAndSerialize() => RecoveryWorkload.BaselineAsync(_client!);

    [Benchmark(Description = "RecoveryManager backup")]
    public Task<BackupInfo> Backup() => _manager!.CreateBackupAsync();
}
