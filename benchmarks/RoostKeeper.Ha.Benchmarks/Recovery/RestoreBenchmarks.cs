using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using RoostKeeper.Ha.Recovery;

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

    private RecoveryBench? _bench;
    private List<JsonObject>? _objects;
    private string? _backupId;

    /// <summary>Latency the simulator adds to every request of the benchmark's client.</summary>
    [Params(0, 2)]
    public int LatencyMs { get; set; }

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        _bench = await RecoveryBench.StartAsync(Objects, o => o.IncludeDefinitions = false);
        _backupId = (await _bench.Manager.CreateBackupAsync()).Id;
        _objects = await RecoveryWorkload.ListAllAsync(_bench.Client);
    }

    [GlobalCleanup]
    public async Task CleanUpAsync()
    {
        if (_bench is not null)
        {
            await _bench.DisposeAsync();
        }
    }

    /// <summary>Every iteration starts from empty namespaces; the deletes are not measured and not slowed.</summary>
    [IterationSetup]
    public void Empty()
    {
        _bench!.Cluster.Faults.Clear("bench");
        RecoveryWorkload.DeleteAllAsync(_bench.Client).GetAwaiter().GetResult();
        _bench.Cluster.Faults.AddLatency("bench", TimeSpan.FromMilliseconds(LatencyMs));
    }

    [Benchmark(Baseline = true, Description = "Create one at a time")]
    public Task CreateOneAtATime() => RecoveryWorkload.CreateOneAtATimeAsync(_bench!.Client, _objects!);

    [Benchmark(Description = "RecoveryManager restore (parallelism 8)")]
    public async Task<RestoreResult> Restore()
    {
        var result = await _bench!.Manager.RestoreFromBackupAsync(_backupId!);
        return result.Count(RestoreOutcome.Created) == Objects
            ? result
            : throw new InvalidOperationException($"The restore created {result.Count(RestoreOutcome.Created)} of {Objects} objects.");
    }
}
