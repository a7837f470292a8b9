using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using k8s;
using k8s.Models;
using RoostKeeper.Ha.Benchmarks.Failover;
using RoostKeeper.Ha.Chaos.Fleet;
using RoostKeeper.Ha.Diagnostics;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Benchmarks.Fleet;

/// <summary>
/// The fleet view: for 3, 10 and 30 idle replicas of one Lease, API requests and watch events per
/// minute, and the CPU time and managed memory each replica adds, ours and KubernetesClient's
/// <c>LeaderElector</c> measured one after the other on a fresh <see cref="SimulatedCluster"/> each.
/// </summary>
internal sealed class FleetRunner(FleetSettings settings)
{
    private const string Namespace = "bench";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public async Task<int> RunAsync()
    {
        var output = Console.Out;
        var rows = new List<string>();

        // Unmeasured first: JIT and first-use costs of both electors and of the simulated API server
        // would otherwise land on whichever row runs first.
        await MeasureAsync(true, 3, settings.Warmup);
        await MeasureAsync(false, 3, settings.Warmup);
        var baseline = await MeasureAsync(null, 0);
        foreach (var size in settings.Sizes)
        {
            foreach (var ours in new[] { true, false })
            {
                var result = await MeasureAsync(ours, size);
                rows.Add(Row(ours ? ReplicaGroup.Ours : ReplicaGroup.Theirs, size, result, baseline));
            }
        }

        await output.WriteLineAsync($"Fleet: {ElectionTimings.Default}, window {settings.Window.TotalSeconds:0} s after {settings.Settle.TotalSeconds:0} s settling, one fresh SimulatedCluster per row, after a {settings.Warmup.TotalSeconds:0} s unmeasured warm-up of each elector.");
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Idle cluster baseline (no replicas): CPU {baseline.CpuMs / settings.Window.TotalMinutes:0} ms/min, managed heap {baseline.HeapBytes / 1024.0 / 1024.0:0.0} MiB."));
        await output.WriteLineAsync();
        await output.WriteLineAsync("| Elector | Replicas | API requests/min (all replicas) | by verb | Watch events/min delivered | CPU ms/min per replica | Managed KiB per replica |");
        await output.WriteLineAsync("|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            await output.WriteLineAsync(row);
        }

        return 0;
    }

    private string Row(string elector, int size, Measurement m, Measurement baseline)
    {
        var minutes = settings.Window.TotalMinutes;
        var cpu = (m.CpuMs - baseline.CpuMs) / minutes / size;
        var heap = (m.HeapBytes - baseline.HeapBytes) / 1024.0 / size;
        return string.Create(CultureInfo.InvariantCulture, $"| {elector} | {size} | {m.Requests / minutes:0.0} | {m.Verbs} | {m.WatchEvents / minutes:0.0} | {cpu:0.0} | {heap:0} |");
    }

    /// <summary>One row: a fresh cluster, <paramref name="size"/> replicas (none for the baseline), settle, then one window.</summary>
    private async Task<Measurement> MeasureAsync(bool? ours, int size, TimeSpan? window = null)
    {
        var measured = window ?? settings.Window;
        var label = ours switch { null => "idle cluster", true => $"ours x{size}", false => $"theirs x{size}" };
        await Console.Error.WriteLineAsync($"fleet: {label}: starting");
        await using var cluster = await SimulatedCluster.StartAsync();
        await cluster.CreateClient("admin").CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Namespace } });
        var log = new LeadershipRecorder();
        var group = ours is { } o ? ReplicaGroup.Create(o, cluster, Namespace, o ? "ours" : "theirs", size, ElectionTimings.Default, log) : null;
        long watchEvents = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == HaTelemetry.Name && instrument.Name == "roost_keeper.leader_election.watch.events")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref watchEvents, value));
        listener.Start();
        try
        {
            if (group is not null)
            {
                group.StartAll();
                await group.WaitForLeaderAsync(Patience);
            }

            await Console.Error.WriteLineAsync($"fleet: {label}: settling {settings.Settle.TotalSeconds:0} s, then measuring {measured.TotalSeconds:0} s");
            await Task.Delay(settings.Settle);
            var heap = HeapAfterCollection();
            cluster.Requests.Reset();
            Interlocked.Exchange(ref watchEvents, 0);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            await Task.Delay(measured);
            var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
            var requests = group?.Replicas.Sum(r => cluster.Requests.Count(r.Name)) ?? 0;
            string[] verbs = ["get", "update", "watch", "create", "list"];
            var byVerb = group is null ? "" : string.Join(", ", verbs
                .Select(v => (Verb: v, Count: group.Replicas.Sum(r => cluster.Requests.Count(r.Name, v))))
                .Where(p => p.Count > 0)
                .Select(p => $"{p.Verb} {p.Count}"));
            return new Measurement(requests, byVerb, Interlocked.Read(ref watchEvents), cpuMs, heap);
        }
        finally
        {
            if (group is not null)
            {
                await group.StopAllAsync();
            }
        }
    }

    private static long HeapAfterCollection()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private sealed record Measurement(long Requests, string Verbs, long WatchEvents, double CpuMs, long HeapBytes);
}
