using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using k8s;
using RoostKeeper.Ha.Recovery;
using RoostKeeper.Ha.Recovery.Stores;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Benchmarks.Recovery;

/// <summary>
/// A restore of 10,000 ManagedRoosts into emptied namespaces (validation of the whole archive included, default
/// parallelism 8) against creating the same objects one at a time, with no added latency and with 2 ms added per
/// request (<c>cluster.Faults.AddLatency</c>). Target: restore ≥ 4× faster.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(RecoveryJobConfig))]
public class RestoreBenchmarks
{
    private const int Objects = 10000;

    private SimulatedCluster? _cluster;
    private IKubernetes? _client;
    private RecoveryManager? _manager;
    private DirectoryInfo? _directory;
    private List<JsonObject>? _objects;
    private string? _backupId;

    /// <summary>Latency the simulator adds to every request of the benchmark's client.</summary>
    [Params(0, 2)]
    public int LatencyMs { get; set; }

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        _cluster = await SimulatedCluster.StartAsync();
        _client = _cluster.CreateClient("bench");
        await RecoveryWorkload.SeedAsync(_client, Objects);
        _directory = Directory.CreateTempSubdirectory("roostha-bench");
        var options = new BackupOptions { PageSize = 500, IncludeDefinitions = false };
        options.Resources.Add(new BackupResource(RecoveryWorkload.Group, RecoveryWorkload.Version, RecoveryWorkload.Plural));
        _manager = new RecoveryManager(_client, options, new DirectoryBackupStore(_directory.FullName));
        _backupId = (await _manager.CreateBackupAsync()).Id;
        _objects = await RecoveryWorkload.ListAllAsync(_client);
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

    /// <summary>Every iteration starts from empty namespaces; the deletes are not measured and not slowed.</summary>
    [IterationSetup]
    public void Empty()
    {
        _cluster!.Faults.Clear("bench");
        RecoveryWorkload.DeleteAllAsync(_client!).GetAwaiter().GetResult();
        _cluster.Faults.AddLatency("bench", TimeSpan.FromMilliseconds(LatencyMs));
    }

    [Benchmark(Baseline = true, Description = "Create one at a time")]
    public Task CreateOneAtATime() => RecoveryWorkload.CreateOneAtATimeAsync(_client!, _objects!);

    [Benchmark(Description = "RecoveryManager restore (parallelism 8)")]
    public async Task<RestoreResult> Restore()
    {
        var result = await _manager!.RestoreFromBackupAsync(_backupId!);
        return result.Count(RestoreOutcome.Created) == Objects
            ? result
            : throw new InvalidOperationException($"The restore created {result.Count(RestoreOutcome.Created)} of {Objects} objects.");
    }
}
