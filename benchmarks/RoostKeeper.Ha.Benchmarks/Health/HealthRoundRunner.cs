using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RoostKeeper.Ha.Benchmarks.Failover;
using RoostKeeper.Ha.Health;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Benchmarks.Health;

/// <summary>
/// One round of the six built-in checks against an API server made slow by injected latency: the round's
/// duration (checks run concurrently, reads shared) against the slowest check run alone and against the
/// sum of the checks run one after another (what a loop running the checks one at a time costs), and the API
/// requests each way.
/// </summary>
internal sealed class HealthRoundRunner(int rounds, IReadOnlyList<int> latenciesMs)
{
    private const string Ns = "roost-system";
    private const string Client = "health";

    public async Task<int> RunAsync()
    {
        var output = Console.Out;
        output.WriteLine($"Health round: {rounds} rounds per latency; latency injected per request of the reading client.");
        output.WriteLine($"Machine: {Environment.ProcessorCount} logical CPUs, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}.");
        output.WriteLine();
        output.WriteLine("| Injected latency | Round, concurrent (median, min–max) | Slowest single check alone | round : slowest | Sequential sum | round : sum | API requests per round (concurrent, shared) | API requests, sequential |");
        output.WriteLine("|---|---|---|---|---|---|---|---|");
        var missed = false;
        foreach (var latency in latenciesMs)
        {
            var row = await MeasureAsync(TimeSpan.FromMilliseconds(latency));
            missed |= row.RoundToSlowest > 1.2;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {latency} ms | {row.Round.Format("ms")} | {row.Slowest.Format("ms")} | {row.RoundToSlowest:0.00} | {row.Sum.Format("ms")} | {row.RoundToSum:0.00} | {row.RequestsConcurrent:0.0} | {row.RequestsSequential:0.0} |"));
        }

        output.WriteLine();
        output.WriteLine(missed ? "Target (round ≤ 1.2 × slowest single check) missed." : "Target (round ≤ 1.2 × slowest single check) met.");
        return missed ? 1 : 0;
    }

    private async Task<Row> MeasureAsync(TimeSpan latency)
    {
        await using var cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { PodStartupDelay = TimeSpan.FromMilliseconds(50) });
        await SetUpAsync(cluster);
        var client = cluster.CreateClient(Client);
        var health = new HealthManager(client, h => h
            .AddLeaderElection(leaseName: "roost-keeper-controller")
            .AddKubernetesApi()
            .AddDeploymentReplicas("roost-keeper-controller-manager", minAvailable: 2)
            .AddReadyPods("app=roost-keeper", minReady: 2)
            .AddServiceEndpoints("roost-keeper-webhook-service")
            .AddWebhook("roost-keeper-validating-webhook"),
            new HealthOptions { Namespace = Ns, CheckTimeout = TimeSpan.FromMinutes(1) });

        // Warm up (connections, JIT) and make sure the cluster is ready, without latency.
        for (var i = 0; i < 50 && (await health.CheckHealthAsync(CancellationToken.None)).Status != HealthStatus.Healthy; i++)
        {
            await Task.Delay(100);
        }

        cluster.Faults.AddLatency(Client, latency);
        await health.CheckHealthAsync(CancellationToken.None);
        var roundTimes = new List<double>();
        var slowest = new List<double>();
        var sums = new List<double>();
        long concurrentRequests = 0, sequentialRequests = 0;
        for (var i = 0; i < rounds; i++)
        {
            cluster.Requests.Reset();
            var clock = Stopwatch.StartNew();
            var report = await health.CheckHealthAsync(CancellationToken.None);
            roundTimes.Add(clock.Elapsed.TotalMilliseconds);
            concurrentRequests += cluster.Requests.Count(Client);
            if (report.Status != HealthStatus.Healthy)
            {
                throw new InvalidOperationException($"The round was {report.Status}: {string.Join("; ", report.Entries.Select(e => $"{e.Key}: {e.Value.Description}"))}");
            }

            // Each check alone, one after another: a loop running the checks one at a time. Each alone is also the "slowest single".
            cluster.Requests.Reset();
            var singles = new List<double>();
            foreach (var name in health.CheckNames)
            {
                var single = Stopwatch.StartNew();
                await health.CheckHealthAsync(r => r.Name == name, CancellationToken.None);
                singles.Add(single.Elapsed.TotalMilliseconds);
            }

            sequentialRequests += cluster.Requests.Count(Client);
            slowest.Add(singles.Max());
            sums.Add(singles.Sum());
        }

        var round = Summary.Of(roundTimes);
        var slow = Summary.Of(slowest);
        var sum = Summary.Of(sums);
        return new Row(round, slow, sum, round.Median / slow.Median, round.Median / sum.Median, concurrentRequests / (double)rounds, sequentialRequests / (double)rounds);
    }

    private static async Task SetUpAsync(SimulatedCluster cluster)
    {
        var admin = cluster.CreateClient("admin");
        await admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Ns } });
        var labels = new Dictionary<string, string> { ["app"] = "roost-keeper" };
        await admin.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "roost-keeper-controller-manager" },
            Spec = new V1DeploymentSpec
            {
                Replicas = 3,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "manager", Image = "roost-keeper:v1" }] },
                },
            },
        }, Ns);
        await admin.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "roost-keeper-webhook-service" },
            Spec = new V1ServiceSpec { Selector = labels, Ports = [new V1ServicePort { Port = 443, TargetPort = 9443 }] },
        }, Ns);
        await admin.AdmissionregistrationV1.CreateValidatingWebhookConfigurationAsync(new V1ValidatingWebhookConfiguration
        {
            Metadata = new V1ObjectMeta { Name = "roost-keeper-validating-webhook" },
            Webhooks =
            [
                new V1ValidatingWebhook
                {
                    Name = "vmanagedroost.roost.birb.party",
                    ClientConfig = new Admissionregistrationv1WebhookClientConfig { Service = new Admissionregistrationv1ServiceReference { Name = "roost-keeper-webhook-service", NamespaceProperty = Ns } },
                    AdmissionReviewVersions = ["v1"],
                    SideEffects = "None",
                },
            ],
        });
        var now = DateTime.UtcNow;
        await admin.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = "roost-keeper-controller" },
            // Renewed far ahead so the lease stays unexpired for the whole run.
            Spec = new V1LeaseSpec { HolderIdentity = "replica-a", LeaseDurationSeconds = 3600, RenewTime = now, AcquireTime = now },
        }, Ns);
    }

    private sealed record Row(Summary Round, Summary Slowest, Summary Sum, double RoundToSlowest, double RoundToSum, double RequestsConcurrent, double RequestsSequential);
}
