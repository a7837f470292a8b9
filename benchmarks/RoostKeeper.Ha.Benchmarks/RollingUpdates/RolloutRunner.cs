using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using k8s;
using k8s.Models;
using RoostKeeper.Ha.RollingUpdates;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Benchmarks.RollingUpdates;

/// <summary>
/// A crash-looping image rolled out to the same simulated Deployment by RollingUpdateManager and by the kubectl
/// procedure, each on a fresh SimulatedCluster, timed by one <see cref="RolloutObserver"/>: first crash of a new pod →
/// rollback start, and update → rollback complete and fully available.
/// </summary>
internal sealed class RolloutRunner(RolloutSettings settings)
{
    private const string Good = "roost:v1";
    private const string Bad = "roost:crash";
    private const string Name = "roost";

    public async Task<int> RunAsync()
    {
        var output = Console.Out;
        await output.WriteLineAsync($"Rollout runner: {settings.Runs} run(s), {settings.Replicas} replicas (maxSurge 1, maxUnavailable 1), progressDeadlineSeconds {settings.ProgressDeadlineSeconds}, pod start-up {settings.PodStartup.TotalMilliseconds:0} ms, kubectl {settings.Kubectl}.");
        await output.WriteLineAsync($"Machine: {Environment.ProcessorCount} logical CPUs, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, load average {LoadAverage()}.");
        var ours = new List<Measurement>();
        var theirs = new List<Measurement>();
        for (var run = 1; run <= settings.Runs; run++)
        {
            await Console.Error.WriteLineAsync($"run {run}: RollingUpdateManager");
            ours.Add(await MeasureAsync(async (client, cluster, ns, started, ct) =>
            {
                using var manager = new RollingUpdateManager(client);
                var status = await manager.PerformRollingUpdateAsync(ns, Name, Bad, new RollingUpdateOptions(),
                    new InlineProgress(s => { if (s.Phase == RollingUpdatePhase.RollingBack) { started(); } }), ct);
                return status.Phase == RollingUpdatePhase.RolledBack ? null : $"ended {status.Phase}";
            }));
            await Console.Error.WriteLineAsync($"  {ours[^1]}");
            await Console.Error.WriteLineAsync($"run {run}: kubectl set image; rollout status; rollout undo; rollout status");
            theirs.Add(await MeasureAsync(async (client, cluster, ns, started, ct) =>
            {
                await new KubectlProcedure(client, cluster.BaseAddress, ns, Name, settings.Kubectl == "real").RunAsync(Bad, started, ct);
                return null;
            }));
            await Console.Error.WriteLineAsync($"  {theirs[^1]}");
        }

        await output.WriteLineAsync();
        await output.WriteLineAsync("| Measurement | Target | RollingUpdateManager median (min–max) | kubectl procedure median (min–max) | ours:kubectl (medians) | Target met |");
        await output.WriteLineAsync("|---|---|---|---|---|---|");
        var detectOurs = ours.Select(m => m.Detection).ToList();
        var detectTheirs = theirs.Select(m => m.Detection).ToList();
        var detectionMet = Median(detectOurs) <= 30_000 && Median(detectTheirs) >= 20 * Median(detectOurs);
        await output.WriteLineAsync($"| First crash of a new pod → rollback starts | ours ≤ 30 s and ≥ 20× sooner | {Range(detectOurs)} | {Range(detectTheirs)} | {Ratio(detectOurs, detectTheirs)} | {(detectionMet ? "yes" : "NO")} |");
        var totalOurs = ours.Select(m => m.Total).ToList();
        var totalTheirs = theirs.Select(m => m.Total).ToList();
        await output.WriteLineAsync($"| Update → rollback complete, every replica available | informational | {Range(totalOurs)} | {Range(totalTheirs)} | {Ratio(totalOurs, totalTheirs)} | — |");
        await output.WriteLineAsync();
        for (var i = 0; i < ours.Count; i++)
        {
            await output.WriteLineAsync($"- run {i + 1}: ours {ours[i]}; kubectl {theirs[i]}");
        }

        return detectionMet ? 0 : 1;
    }

    private async Task<Measurement> MeasureAsync(Func<IKubernetes, SimulatedCluster, string, Action, CancellationToken, Task<string?>> procedure)
    {
        await using var cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { PodStartupDelay = settings.PodStartup });
        cluster.Images.Set(Bad, ImageHealth.CrashLooping);
        var admin = cluster.CreateClient("observer");
        var ns = "bench";
        await admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
        await admin.AppsV1.CreateNamespacedDeploymentAsync(Deployment(), ns);
        while (RolloutStatusEvaluator.Evaluate(await admin.AppsV1.ReadNamespacedDeploymentAsync(Name, ns)).State != RolloutState.Complete)
        {
            await Task.Delay(50);
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(settings.ProgressDeadlineSeconds * 3 + 300));
        var clock = Stopwatch.StartNew();
        var observer = new RolloutObserver(admin, ns, Name, Bad, Good, clock);
        var observing = observer.RunAsync(cts.Token);
        var problem = await procedure(cluster.CreateClient("procedure"), cluster, ns, () => observer.RollbackStarted ??= clock.Elapsed, cts.Token);
        while (observer.RolledBackAvailable is null && !cts.IsCancellationRequested)
        {
            await Task.Delay(25);
        }

        await cts.CancelAsync();
        await observing;
        if (problem is not null || observer.FirstCrash is null || observer.RollbackStarted is null || observer.RolledBackAvailable is null)
        {
            throw new InvalidOperationException($"the run did not complete: {problem ?? "a milestone is missing"} (crash {observer.FirstCrash}, rollback {observer.RollbackStarted}, available {observer.RolledBackAvailable})");
        }

        return new Measurement(observer.FirstCrash.Value, observer.RollbackStarted.Value, observer.RolledBackAvailable.Value);
    }

    private V1Deployment Deployment()
    {
        var labels = new Dictionary<string, string> { ["app"] = Name };
        return new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = Name },
            Spec = new V1DeploymentSpec
            {
                Replicas = settings.Replicas,
                ProgressDeadlineSeconds = settings.ProgressDeadlineSeconds,
                Strategy = new V1DeploymentStrategy { Type = "RollingUpdate", RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = 1, MaxUnavailable = 1 } },
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string>(labels) },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = Name, Image = Good }] },
                },
            },
        };
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Range(List<double> values) =>
        string.Create(CultureInfo.InvariantCulture, $"{Median(values) / 1000:0.00} s ({values.Min() / 1000:0.00}–{values.Max() / 1000:0.00})");

    private static string Ratio(List<double> ours, List<double> theirs) =>
        string.Create(CultureInfo.InvariantCulture, $"{Median(ours) / Median(theirs):0.0000} ({Median(theirs) / Median(ours):0.0}× sooner)");

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    /// <summary>Milliseconds on the run's Stopwatch, from the update request.</summary>
    private sealed record Measurement(TimeSpan FirstCrash, TimeSpan RollbackStarted, TimeSpan Available)
    {
        public double Detection => (RollbackStarted - FirstCrash).TotalMilliseconds;

        public double Total => Available.TotalMilliseconds;

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"first crash at {FirstCrash.TotalSeconds:0.00} s, rollback started {RollbackStarted.TotalSeconds:0.00} s (detection {Detection / 1000:0.00} s), rollback available at {Available.TotalSeconds:0.00} s");
    }

    private sealed class InlineProgress(Action<RollingUpdateStatus> report) : IProgress<RollingUpdateStatus>
    {
        public void Report(RollingUpdateStatus value) => report(value);
    }
}
