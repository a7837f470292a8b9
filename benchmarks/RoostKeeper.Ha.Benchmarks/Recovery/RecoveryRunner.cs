using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using RoostKeeper.Ha.Recovery;
using RoostKeeper.Ha.Recovery.Stores;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Benchmarks.Recovery;

/// <summary>
/// Backup and restore on SimulatedCluster against what a user would otherwise write with KubernetesClient:
/// a backup of N ManagedRoosts vs a paged list that only serializes each object (no archive, no hashing,
/// no file), with the managed-heap growth sampled during each; a restore of N objects vs creating them one
/// at a time. Everything runs in one process (the simulator too), so heap growth includes the server side
/// of both alike.
/// </summary>
internal sealed class RecoveryRunner(IReadOnlyList<int> sizes, int restoreSize, int parallelism, int latencyMs)
{
    private const string Group = RecoveryWorkload.Group;
    private const string Version = RecoveryWorkload.Version;
    private const string Plural = RecoveryWorkload.Plural;

    public static RecoveryRunner Parse(IReadOnlyList<string> args)
    {
        var sizes = new List<int> { 1000, 10000 };
        var restore = 10000;
        var parallelism = 8;
        var latency = 2;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--sizes":
                    sizes = [.. args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
                    break;
                case "--restore":
                    restore = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--parallelism":
                    parallelism = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--latency-ms":
                    latency = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                default:
                    throw new ArgumentException($"Unknown argument {args[i]}. Usage: recovery [--sizes 1000,10000,50000] [--restore 10000] [--parallelism 8] [--latency-ms 2]");
            }
        }

        return new RecoveryRunner(sizes, restore, parallelism, latency);
    }

    public async Task<int> RunAsync()
    {
        Console.WriteLine("| Objects | Baseline: list + serialize | RoostKeeper.Ha backup (tar, SHA-256, file) | backup:baseline | Baseline heap growth | Backup heap growth | Archive |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var n in sizes)
        {
            await using var cluster = await SimulatedCluster.StartAsync();
            var client = cluster.CreateClient("bench");
            await RecoveryWorkload.SeedAsync(client, n);
            var dir = Directory.CreateTempSubdirectory("roostha-bench");
            try
            {
                var options = new BackupOptions { PageSize = 500, VerifyAfterWrite = false };
                options.Resources.Add(new BackupResource(Group, Version, Plural));
                var manager = new RecoveryManager(client, options, new DirectoryBackupStore(dir.FullName));

                // Warm-up of both paths (JIT, connections), then one measured run each.
                await RecoveryWorkload.BaselineAsync(client);
                await manager.CreateBackupAsync();
                var baseline = await TimeAsync(() => RecoveryWorkload.BaselineAsync(client));
                BackupInfo? info = null;
                var backup = await TimeAsync(async () => info = await manager.CreateBackupAsync());
                var baselineHeap = await PeakLiveGrowthAsync(() => RecoveryWorkload.BaselineAsync(client));
                var backupHeap = await PeakLiveGrowthAsync(() => manager.CreateBackupAsync());
                Console.WriteLine($"| {n:N0} | {baseline.TotalMilliseconds:F0} ms | {backup.TotalMilliseconds:F0} ms | {backup / baseline:F2} | {baselineHeap / 1048576.0:F1} MB | {backupHeap / 1048576.0:F1} MB | {info!.ArchiveSizeBytes / 1048576.0:F1} MB |");
            }
            finally
            {
                dir.Delete(recursive: true);
            }
        }

        Console.WriteLine();
        Console.WriteLine($"| Objects | API latency added per request | One-at-a-time creates | RoostKeeper.Ha restore (parallelism {parallelism}, validation included) | speed-up |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var latency in new[] { 0, latencyMs }.Distinct())
        {
            await using var cluster = await SimulatedCluster.StartAsync();
            var client = cluster.CreateClient("bench");
            await RecoveryWorkload.SeedAsync(client, restoreSize);
            var dir = Directory.CreateTempSubdirectory("roostha-bench");
            try
            {
                var options = new BackupOptions { PageSize = 500, IncludeDefinitions = false };
                options.Resources.Add(new BackupResource(Group, Version, Plural));
                var manager = new RecoveryManager(client, options, new DirectoryBackupStore(dir.FullName));
                var backup = await manager.CreateBackupAsync();
                var objects = await RecoveryWorkload.ListAllAsync(client);

                await RecoveryWorkload.DeleteAllAsync(client);
                cluster.Faults.AddLatency("bench", TimeSpan.FromMilliseconds(latency));
                var sequential = Stopwatch.StartNew();
                await RecoveryWorkload.CreateOneAtATimeAsync(client, objects);

                sequential.Stop();

                await RecoveryWorkload.DeleteAllAsync(client);
                var restore = Stopwatch.StartNew();
                var result = await manager.RestoreFromBackupAsync(backup.Id, new RestoreOptions { MaxParallelism = parallelism });
                restore.Stop();
                if (result.Count(RestoreOutcome.Created) != restoreSize)
                {
                    throw new InvalidOperationException($"The restore created {result.Count(RestoreOutcome.Created)} of {restoreSize} objects.");
                }

                // The validation pass alone (reads and checks the whole archive, no API request): the part of the
                // restore that a one-at-a-time loop does not do.
                var validation = Stopwatch.StartNew();
                _ = await manager.ValidateBackupAsync(backup.Id);
                validation.Stop();
                Console.WriteLine($"| {restoreSize:N0} | {latency} ms | {sequential.Elapsed.TotalMilliseconds:F0} ms | {restore.Elapsed.TotalMilliseconds:F0} ms (validation alone: {validation.Elapsed.TotalMilliseconds:F0} ms) | {sequential.Elapsed / restore.Elapsed:F2}x |");
            }
            finally
            {
                dir.Delete(recursive: true);
            }
        }

        return 0;
    }

    private static async Task<TimeSpan> TimeAsync(Func<Task> action)
    {
        GC.Collect();
        var watch = Stopwatch.StartNew();
        await action();
        return watch.Elapsed;
    }

    /// <summary>
    /// The peak of live managed memory over the starting heap while <paramref name="action"/> runs, sampled every
    /// 20 ms after a full collection (so garbage not yet collected is not counted; the sampling slows the action,
    /// which is why time is measured in a separate run).
    /// </summary>
    private static async Task<long> PeakLiveGrowthAsync(Func<Task> action)
    {
        var start = GC.GetTotalMemory(forceFullCollection: true);
        long peak = start;
        using var done = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true));
                await Task.Delay(20);
            }
        });
        await action();
        await done.CancelAsync();
        await sampler;
        return peak - start;
    }
}
