using RoostKeeper.Ha.Chaos.Fleet;
using static RoostKeeper.Ha.Benchmarks.Sharding.ShardingRunner;

namespace RoostKeeper.Ha.Benchmarks.Sharding;

/// <summary>
/// Steady-state API requests per minute of idle replicas at the default timings, sharded against the single
/// leader, counted by the SimulatedCluster per client (every replica has its own), one real minute per cell.
/// </summary>
internal sealed class ApiLoad(ShardingSettings settings)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);
    private static readonly string[] Verbs = ["get", "list", "watch", "create", "update", "patch", "delete"];

    public async Task<bool> RunAsync(TextWriter output)
    {
        var rows = new List<string>();
        var missed = false;
        foreach (var size in settings.ApiSizes)
        {
            var single = await MeasureAsync(size, sharded: false);
            var sharded = await MeasureAsync(size, sharded: true);
            var target = 35.0 * size;
            missed |= sharded.PerMinute > target;
            rows.Add(Invariant($"| {size} | {single.PerMinute:0} ({single.PerMinute / size:0.0}) | {sharded.PerMinute:0} ({sharded.PerMinute / size:0.0}) | {target:0} | {(sharded.PerMinute <= target ? "met" : "**missed**")} | {single.Verbs} | {sharded.Verbs} |"));
        }

        await output.WriteLineAsync(Invariant($"### API requests per minute, idle replicas, {settings.Shards} shards"));
        await output.WriteLineAsync();
        await output.WriteLineAsync(Invariant($"One fresh cluster per cell; measured over {settings.ApiWindow.TotalSeconds:0} s of real time (no accelerated clock) after the shards settled (or a leader was elected) and {settings.ApiSettle.TotalSeconds:0} s more. Every request a replica's client sent counts, watches included; requests of the harness do not."));
        await output.WriteLineAsync();
        await output.WriteLineAsync("| Replicas (R) | Single leader: requests/min (per replica) | Sharded: requests/min (per replica) | Target 35 × R | Sharded within it | Single leader by verb (whole window) | Sharded by verb (whole window) |");
        await output.WriteLineAsync("|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            await output.WriteLineAsync(row);
        }

        await output.WriteLineAsync();
        return missed;
    }

    private async Task<Load> MeasureAsync(int size, bool sharded)
    {
        var label = $"{(sharded ? "sharded" : "single leader")} x{size}";
        await Console.Error.WriteLineAsync($"api: {label}: starting");
        var timings = ElectionTimings.Default;
        await using var fleet = await ShardedFleet.CreateAsync(size, timings, new ShardedSetup(sharded, settings.Shards, TimeSpan.FromSeconds(10)));
        fleet.StartAll();
        var names = fleet.Replicas.Select(r => r.Name).ToList();
        var ready = sharded
            ? await fleet.Shards.WaitUntilAsync(s => ShardedFleet.Balanced(s, names), Patience)
            : await fleet.Shards.WaitUntilAsync(_ => fleet.Recorder.CurrentLeader is not null, Patience);
        if (!ready)
        {
            throw new TimeoutException($"api: {label}: not settled within {Patience.TotalSeconds:0} s.");
        }

        await Task.Delay(settings.ApiSettle);
        var requests = fleet.Cluster.Requests;
        requests.Reset();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(settings.ApiWindow);
        var total = names.Sum(requests.Count);
        var minutes = clock.Elapsed.TotalMinutes;
        var verbs = string.Join(", ", Verbs
            .Select(v => (Verb: v, Count: names.Sum(n => requests.Count(n, v))))
            .Where(p => p.Count > 0)
            .Select(p => $"{p.Verb} {p.Count}"));
        var balanced = !sharded || ShardedFleet.Balanced(fleet.Shards, names);
        await Console.Error.WriteLineAsync(Invariant($"api: {label}: {total / minutes:0}/min ({verbs}){(balanced ? "" : "; NOT balanced at the end")}"));
        return new Load(total / minutes, verbs + (balanced ? "" : " (not balanced at the end)"));
    }

    private sealed record Load(double PerMinute, string Verbs);
}
