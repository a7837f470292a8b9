using BenchmarkDotNet.Attributes;
using RoostKeeper.Ha.Recovery;

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
    private RecoveryBench? _bench;

    /// <summary>Objects backed up.</summary>
    [Params(1000, 10000, 50000)]
    public int Objects { get; set; }

    [GlobalSetup]
    public async Task SetUpAsync() => _bench = await RecoveryBench.StartAsync(Objects, o => o.VerifyAfterWrite = false);

    [GlobalCleanup]
    public async Task CleanUpAsync()
    {
        if (_bench is not null)
        {
            await _bench.DisposeAsync();
        }
    }

    /// <summary>Each backup's files go, so the disk does not fill over the iterations.</summary>
    [IterationCleanup]
    public void RemoveBackups()
    {
        foreach (var file in _bench!.Directory.EnumerateFiles())
        {
            file.Delete();
        }
    }

    [Benchmark(Baseline = true, Description = "List (paged) + serialize")]
    public Task ListAndSerialize() => RecoveryWorkload.BaselineAsync(_bench!.Client);

    [Benchmark(Description = "RecoveryManager backup")]
    public Task<BackupInfo> Backup() => _bench!.Manager.CreateBackupAsync();
}
