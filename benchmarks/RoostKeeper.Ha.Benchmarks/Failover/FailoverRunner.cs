using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using k8s;
using k8s.Models;
using RoostKeeper.Ha.Chaos.Fleet;
using RoostKeeper.Ha.Chaos.Runs;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Benchmarks.Failover;

/// <summary>
/// Runs our elector and KubernetesClient's side by side, 3 replicas each, on one SimulatedCluster per
/// scenario with the same timings, and prints Markdown tables. Progress goes to stderr, tables to stdout.
/// </summary>
internal sealed class FailoverRunner(FailoverSettings settings)
{
    private const int ReplicaCount = 3;
    private const string Namespace = "bench";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    private readonly ElectionTimings _timings = ElectionTimings.Default;

    public async Task<int> RunAsync()
    {
        var total = Stopwatch.StartNew();
        var output = Console.Out;
        output.WriteLine($"## Failover runner ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
        output.WriteLine();
        output.WriteLine(Machine());
        output.WriteLine($"Timings for both electors: {_timings}; {ReplicaCount} replicas each; runs per measurement: {settings.Runs}; seed {settings.Seed}.");
        output.WriteLine();

        var rows = new List<string>();
        var failed = false;
        if (settings.Sections.Contains("handoff"))
        {
            var (ours, theirs) = await RepeatAsync("graceful hand-off", run => HandoffAsync(run));
            rows.Add(Row("(a) Graceful hand-off: leader's run cancelled → another replica's OnStartedLeading", "ours < 250 ms", ours, theirs, "ms", ours.Count > 0 && ours.Max < 250));
            failed |= !(ours.Count > 0 && ours.Max < 250);
        }

        List<string> crashDetails = [];
        if (settings.Sections.Contains("crash"))
        {
            var fromCrash = (Ours: new List<double>(), Theirs: new List<double>());
            var fromRenew = (Ours: new List<double>(), Theirs: new List<double>());
            for (var run = 1; run <= settings.Runs; run++)
            {
                Progress($"crash take-over, run {run}/{settings.Runs}");
                var (ours, theirs) = await CrashAsync(run);
                Add(fromCrash.Ours, ours?.FromCrash);
                Add(fromCrash.Theirs, theirs?.FromCrash);
                Add(fromRenew.Ours, ours?.FromRenewal);
                Add(fromRenew.Theirs, theirs?.FromRenewal);
                crashDetails.Add(string.Create(CultureInfo.InvariantCulture,
                    $"run {run}: ours crash→lead {Ms(ours?.FromCrash)}, last renewal was {Ms(ours?.RenewalAge)} before the crash; theirs crash→lead {Ms(theirs?.FromCrash)}, last renewal {Ms(theirs?.RenewalAge)} before"));
            }

            var bound = (_timings.LeaseDuration + TimeSpan.FromMilliseconds(300)).TotalMilliseconds;
            var oursRenew = Summary.Of(fromRenew.Ours);
            rows.Add(Row("(b) Crash take-over, from the crash (partition + stop without release) → another replica leads", "informational (≤ LeaseDuration + 300 ms from the last renewal is the bound)", Summary.Of(fromCrash.Ours), Summary.Of(fromCrash.Theirs), "ms", null));
            rows.Add(Row("(b') Crash take-over, from the leader's last successful renewal (Lease renewTime) → another replica leads", $"ours ≤ {bound:0} ms", oursRenew, Summary.Of(fromRenew.Theirs), "ms", oursRenew.Count > 0 && oursRenew.Max <= bound));
            failed |= !(oursRenew.Count > 0 && oursRenew.Max <= bound);
        }

        List<string> rpmDetails = [];
        if (settings.Sections.Contains("rpm"))
        {
            var (ours, theirs, details) = await RequestsPerMinuteAsync();
            rpmDetails = details;
            var met = ours.Count > 0 && theirs.Count > 0 && ours.Max <= theirs.Min / 3;
            rows.Add(Row($"(c) API requests per minute, 3 replicas, steady state ({settings.Window.TotalSeconds:0} s windows)", "ours ≤ ⅓ of theirs", ours, theirs, "req/min", met, "0.0"));
            failed |= !met;
        }

        if (rows.Count > 0)
        {
            output.WriteLine("| Measurement | Target | RoostKeeper.Ha median (min–max) | KubernetesClient median (min–max) | ours:theirs (medians) | Target met |");
            output.WriteLine("|---|---|---|---|---|---|");
            foreach (var row in rows)
            {
                output.WriteLine(row);
            }

            output.WriteLine();
        }

        foreach (var line in crashDetails.Concat(rpmDetails))
        {
            output.WriteLine($"- {line}");
        }

        if (settings.Sections.Contains("safety"))
        {
            output.WriteLine();
            failed |= !await SafetyAsync(_timings, settings.SafetyRounds, "Safety under randomized faults (headline timings)");
        }

        if (settings.Sections.Contains("fast"))
        {
            output.WriteLine();
            failed |= !await SafetyAsync(ElectionTimings.Fast, settings.FastSafetyRounds, "EXTRA, FAST TIMINGS (not headline figures): safety under randomized faults");
        }

        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Runner wall time: {total.Elapsed.TotalMinutes:0.0} min."));
        return failed ? 1 : 0;
    }

    // ---- (a) graceful hand-off ---------------------------------------------------------------------

    private async Task<(double? Ours, double? Theirs)> HandoffAsync(int run)
    {
        await using var cluster = await StartClusterAsync();
        var ours = ReplicaGroup.Create(true, cluster, Namespace, $"ours-handoff{run}", ReplicaCount, _timings, new LeadershipRecorder());
        var theirs = ReplicaGroup.Create(false, cluster, Namespace, $"theirs-handoff{run}", ReplicaCount, _timings, new LeadershipRecorder());
        try
        {
            ours.StartAll();
            theirs.StartAll();
            var results = await Task.WhenAll(MeasureHandoffAsync(ours), MeasureHandoffAsync(theirs));
            return (results[0], results[1]);
        }
        finally
        {
            await Task.WhenAll(ours.StopAllAsync(), theirs.StopAllAsync());
        }
    }

    private static async Task<double?> MeasureHandoffAsync(ReplicaGroup group)
    {
        var leader = await group.WaitForLeaderAsync(Patience);
        await Task.Delay(Settle);
        var stoppedAt = group.Log.Now;
        var stopping = leader.StopAsync();
        var next = await group.WaitForStartAsync(stoppedAt, leader.Name, Patience);
        await stopping;
        return next is null ? null : (next.Start - stoppedAt).TotalMilliseconds;
    }

    // ---- (b) crash take-over -----------------------------------------------------------------------

    private async Task<(CrashResult? Ours, CrashResult? Theirs)> CrashAsync(int run)
    {
        await using var cluster = await StartClusterAsync();
        var observer = cluster.CreateClient("observer");
        var ours = ReplicaGroup.Create(true, cluster, Namespace, $"ours-crash{run}", ReplicaCount, _timings, new LeadershipRecorder());
        var theirs = ReplicaGroup.Create(false, cluster, Namespace, $"theirs-crash{run}", ReplicaCount, _timings, new LeadershipRecorder());
        try
        {
            ours.StartAll();
            theirs.StartAll();
            var results = await Task.WhenAll(MeasureCrashAsync(cluster, observer, ours, $"ours-crash{run}-lease"), MeasureCrashAsync(cluster, observer, theirs, $"theirs-crash{run}-lease"));
            return (results[0], results[1]);
        }
        finally
        {
            await Task.WhenAll(ours.StopAllAsync(), theirs.StopAllAsync());
        }
    }

    private static async Task<CrashResult?> MeasureCrashAsync(SimulatedCluster cluster, IKubernetes observer, ReplicaGroup group, string leaseName)
    {
        var leader = await group.WaitForLeaderAsync(Patience);
        await Task.Delay(Settle);
        var crashedAtUtc = DateTime.UtcNow;
        var crashedAt = group.Log.Now;
        await leader.CrashAsync(cluster.Faults);

        // Partitioned: nothing the crashed leader does can reach the Lease any more, so this is its last renewal.
        var lease = await observer.CoordinationV1.ReadNamespacedLeaseAsync(leaseName, Namespace);
        var renewedAt = DateTime.SpecifyKind(lease.Spec.RenewTime!.Value, DateTimeKind.Utc);
        var next = await group.WaitForStartAsync(crashedAt, leader.Name, Patience);
        cluster.Faults.Heal(leader.Name);
        if (next is null)
        {
            return null;
        }

        var renewalAge = (crashedAtUtc - renewedAt).TotalMilliseconds;
        var fromCrash = (next.Start - crashedAt).TotalMilliseconds;
        return new CrashResult(fromCrash, renewalAge, fromCrash + renewalAge);
    }

    // ---- (c) requests per minute ---------------------------------------------------------------------

    private async Task<(Summary Ours, Summary Theirs, List<string> Details)> RequestsPerMinuteAsync()
    {
        await using var cluster = await StartClusterAsync();
        var ours = ReplicaGroup.Create(true, cluster, Namespace, "ours-rpm", ReplicaCount, _timings, new LeadershipRecorder());
        var theirs = ReplicaGroup.Create(false, cluster, Namespace, "theirs-rpm", ReplicaCount, _timings, new LeadershipRecorder());
        var samples = (Ours: new List<double>(), Theirs: new List<double>());
        var details = new List<string>();
        try
        {
            ours.StartAll();
            theirs.StartAll();
            await Task.WhenAll(ours.WaitForLeaderAsync(Patience), theirs.WaitForLeaderAsync(Patience));
            Progress("requests per minute: settling 10 s");
            await Task.Delay(TimeSpan.FromSeconds(10));
            for (var window = 1; window <= settings.Runs; window++)
            {
                Progress($"requests per minute, window {window}/{settings.Runs} ({settings.Window.TotalSeconds:0} s)");
                cluster.Requests.Reset();
                var started = Stopwatch.StartNew();
                await Task.Delay(settings.Window);
                var minutes = started.Elapsed.TotalMinutes;
                var (oursRate, oursVerbs) = Rate(cluster.Requests, ours, minutes);
                var (theirsRate, theirsVerbs) = Rate(cluster.Requests, theirs, minutes);
                samples.Ours.Add(oursRate);
                samples.Theirs.Add(theirsRate);
                details.Add(string.Create(CultureInfo.InvariantCulture, $"window {window}: ours {oursRate:0.0} req/min ({oursVerbs}); theirs {theirsRate:0.0} req/min ({theirsVerbs})"));
            }
        }
        finally
        {
            await Task.WhenAll(ours.StopAllAsync(), theirs.StopAllAsync());
        }

        return (Summary.Of(samples.Ours), Summary.Of(samples.Theirs), details);
    }

    private static (double Rate, string Verbs) Rate(RequestLog requests, ReplicaGroup group, double minutes)
    {
        string[] verbs = ["get", "update", "watch", "create", "list", "patch", "delete"];
        var byVerb = verbs.Select(v => (Verb: v, Count: group.Replicas.Sum(r => requests.Count(r.Name, v)))).Where(p => p.Count > 0);
        var all = group.Replicas.Sum(r => requests.Count(r.Name));
        return (all / minutes, string.Join(", ", byVerb.Select(p => $"{p.Verb} {p.Count}")) + $", total {all} in {minutes * 60:0.0} s");
    }

    // ---- (d) safety ---------------------------------------------------------------------------------

    private async Task<bool> SafetyAsync(ElectionTimings timings, int rounds, string title)
    {
        Progress($"{title}: {rounds} rounds");
        await using var cluster = await StartClusterAsync();
        var clock = Stopwatch.StartNew();
        var ours = ReplicaGroup.Create(true, cluster, Namespace, "ours-safety", ReplicaCount, timings, new LeadershipRecorder());
        var theirs = ReplicaGroup.Create(false, cluster, Namespace, "theirs-safety", ReplicaCount, timings, new LeadershipRecorder());
        ChaosReport[] reports;
        try
        {
            ours.StartAll();
            theirs.StartAll();
            reports = await Task.WhenAll(ChaosAsync(cluster, ours, timings, rounds), ChaosAsync(cluster, theirs, timings, rounds));
        }
        finally
        {
            foreach (var replica in ours.Replicas.Concat(theirs.Replicas))
            {
                cluster.Faults.Clear(replica.Name);
            }

            await Task.WhenAll(ours.StopAllAsync(), theirs.StopAllAsync());
        }

        var output = Console.Out;
        output.WriteLine($"### {title}");
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Timings {timings}; {rounds} rounds per elector with seed {settings.Seed} (same action sequence for both); {clock.Elapsed.TotalSeconds:0} s of chaos."));
        output.WriteLine();
        output.WriteLine("| Elector | Faults injected | Leadership intervals | Overlapping pairs | Longest overlap | Elector runs that threw (restarted) | Target met |");
        output.WriteLine("|---|---|---|---|---|---|---|");
        var ok = true;
        foreach (var (group, report) in new[] { (ours, reports[0]), (theirs, reports[1]) })
        {
            var overlaps = group.Log.Timeline().Overlaps;
            var longest = overlaps.Count == 0 ? "—" : $"{overlaps.Max(o => o.Duration.TotalMilliseconds):0} ms";
            var isOurs = group.Elector == ReplicaGroup.Ours;
            var met = overlaps.Count == 0 ? "yes" : isOurs ? "**NO**" : "no (no target)";
            ok &= !isOurs || overlaps.Count == 0;
            var threw = group.Replicas.OfType<TheirReplica>().Sum(r => r.ElectorFaults);
            output.WriteLine($"| {group.Elector} | {report} | {group.Log.Timeline().Intervals.Count} | {overlaps.Count} | {longest} | {(isOurs ? "—" : threw)} | {met} |");
        }

        foreach (var (group, _) in new[] { (ours, reports[0]), (theirs, reports[1]) })
        {
            foreach (var overlap in group.Log.Timeline().Overlaps.Take(5))
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"- {group.Elector}: {CampaignReport.Describe(overlap.First)} and {CampaignReport.Describe(overlap.Second)}: {overlap.Duration.TotalMilliseconds:0} ms overlap"));
            }
        }

        return ok;
    }

    private async Task<ChaosReport> ChaosAsync(SimulatedCluster cluster, ReplicaGroup group, ElectionTimings timings, int rounds)
    {
        var random = new Random(settings.Seed);
        var report = new ChaosReport();
        await group.WaitForLeaderAsync(Patience);
        for (var round = 0; round < rounds; round++)
        {
            var leader = group.Find(group.Log.CurrentLeader);
            var any = group.Replicas[random.Next(group.Replicas.Count)];
            var followers = group.Replicas.Where(r => r != leader).ToList();
            var follower = followers[random.Next(followers.Count)];
            var mode = random.Next(3) == 0 ? PartitionMode.Blackhole : PartitionMode.Reset;
            var latency = timings.RetryPeriod * random.NextDouble();
            var action = random.Next(6);
            switch (action)
            {
                case 0:
                    cluster.Faults.Partition((leader ?? any).Name, mode);
                    report.LeaderPartitions++;
                    break;
                case 1:
                    cluster.Faults.Partition(follower.Name, mode);
                    report.FollowerPartitions++;
                    break;
                case 2:
                    foreach (var replica in group.Replicas)
                    {
                        cluster.Faults.Heal(replica.Name);
                    }

                    report.Heals++;
                    break;
                case 3:
                    cluster.Faults.AddLatency(any.Name, latency);
                    report.Latencies++;
                    break;
                case 4:
                    var restarted = leader ?? any;
                    await restarted.StopAsync();
                    restarted.Start();
                    report.GracefulRestarts++;
                    break;
                default:
                    await any.CrashAsync(cluster.Faults);
                    cluster.Faults.Heal(any.Name);
                    any.Start();
                    report.CrashRestarts++;
                    break;
            }

            await Task.Delay(timings.RetryPeriod * (0.5 + (3.5 * random.NextDouble())));
        }

        return report;
    }

    // ---- Plumbing ---------------------------------------------------------------------------------

    private async Task<(Summary Ours, Summary Theirs)> RepeatAsync(string what, Func<int, Task<(double? Ours, double? Theirs)>> measure)
    {
        var ours = new List<double>();
        var theirs = new List<double>();
        for (var run = 1; run <= settings.Runs; run++)
        {
            Progress($"{what}, run {run}/{settings.Runs}");
            var (o, t) = await measure(run);
            Add(ours, o);
            Add(theirs, t);
            Progress(string.Create(CultureInfo.InvariantCulture, $"  ours {Ms(o)}, theirs {Ms(t)}"));
        }

        return (Summary.Of(ours), Summary.Of(theirs));
    }

    private static async Task<SimulatedCluster> StartClusterAsync()
    {
        var cluster = await SimulatedCluster.StartAsync();
        var admin = cluster.CreateClient("admin");
        await admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Namespace } });
        return cluster;
    }

    private static string Row(string measurement, string target, Summary ours, Summary theirs, string unit, bool? met, string format = "0")
    {
        var ratio = ours.Count > 0 && theirs.Count > 0 && theirs.Median > 0 ? Ratio(ours.Median / theirs.Median) : "n/a";
        var verdict = met switch { true => "yes", false => "**NO**", null => "—" };
        return $"| {measurement} | {target} | {ours.Format(unit, format)} | {theirs.Format(unit, format)} | {ratio} | {verdict} |";
    }

    /// <summary>Three decimals, or up to six when three would print 0.000.</summary>
    private static string Ratio(double value) =>
        value.ToString(value is > 0 and < 0.001 ? "0.######" : "0.000", CultureInfo.InvariantCulture);

    private static void Add(List<double> samples, double? value)
    {
        if (value is { } v)
        {
            samples.Add(v);
        }
    }

    private static string Ms(double? value) => value is { } v ? v.ToString("0", CultureInfo.InvariantCulture) + " ms" : "none within 60 s";

    private static void Progress(string message) => Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {message}");

    private static string Machine()
    {
        var model = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var memory = File.Exists("/proc/meminfo")
            ? File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return $"Machine: {Environment.ProcessorCount} logical CPUs ({model ?? "unknown model"}), {memory ?? "unknown"} memory, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}.";
    }

    private sealed record CrashResult(double FromCrash, double RenewalAge, double FromRenewal);

    private sealed class ChaosReport
    {
        public int LeaderPartitions { get; set; }

        public int FollowerPartitions { get; set; }

        public int Heals { get; set; }

        public int Latencies { get; set; }

        public int GracefulRestarts { get; set; }

        public int CrashRestarts { get; set; }

        public override string ToString() =>
            $"{LeaderPartitions} leader partitions, {FollowerPartitions} follower partitions, {Heals} heal-alls, {Latencies} latency changes, {GracefulRestarts} graceful leader restarts, {CrashRestarts} crash-restarts";
    }
}
