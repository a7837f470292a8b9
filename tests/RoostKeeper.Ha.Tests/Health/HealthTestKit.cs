using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RoostKeeper.Ha.Health;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Tests.Health;

/// <summary>A simulated cluster with a namespace, and builders for what the health checks read.</summary>
internal sealed class HealthTestKit : IAsyncDisposable
{
    /// <summary>Generous: the machine is shared and noisy; tests wait for outcomes, never for durations.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private HealthTestKit(SimulatedCluster cluster, IKubernetes admin, string ns)
    {
        Cluster = cluster;
        Admin = admin;
        Namespace = ns;
    }

    public SimulatedCluster Cluster { get; }

    public IKubernetes Admin { get; }

    public string Namespace { get; }

    /// <summary>The client the health manager reads with (faults and request counts target "health").</summary>
    public IKubernetes HealthClient => Cluster.CreateClient("health");

    public static async Task<HealthTestKit> StartAsync(TimeSpan? podStartupDelay = null, bool enableRbac = false)
    {
        var cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { PodStartupDelay = podStartupDelay ?? TimeSpan.FromMilliseconds(100), EnableRbac = enableRbac });
        var admin = cluster.CreateClient("admin");
        await admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "roost-system" } });
        return new HealthTestKit(cluster, admin, "roost-system");
    }

    public HealthManager Manager(Action<IHealthChecksBuilder> configure, HealthOptions? options = null, TimeProvider? time = null, HaManager? haManager = null)
    {
        options ??= new HealthOptions();
        options.Namespace ??= Namespace;
        return new HealthManager(HealthClient, configure, options, haManager?.Elector, loggerFactory: null, time, sharedMeter: null);
    }

    public Task<V1Deployment> CreateDeploymentAsync(string name, string image, int replicas) =>
        Admin.AppsV1.CreateNamespacedDeploymentAsync(ControllerTestKit.Deployment(name, image, replicas), Namespace);

    public Task<V1Pod> CreatePodAsync(string name, string app, string image) =>
        Admin.CoreV1.CreateNamespacedPodAsync(
            new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = app } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "roost", Image = image }] },
            },
            Namespace);

    public Task<V1Service> CreateServiceAsync(string name, string app) =>
        Admin.CoreV1.CreateNamespacedServiceAsync(
            new V1Service
            {
                Metadata = new V1ObjectMeta { Name = name },
                Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = app }, Ports = [new V1ServicePort { Port = 443, TargetPort = 9443 }] },
            },
            Namespace);

    public Task<V1ValidatingWebhookConfiguration> CreateWebhookConfigurationAsync(string name, Admissionregistrationv1WebhookClientConfig clientConfig) =>
        Admin.AdmissionregistrationV1.CreateValidatingWebhookConfigurationAsync(new V1ValidatingWebhookConfiguration
        {
            Metadata = new V1ObjectMeta { Name = name },
            Webhooks =
            [
                new V1ValidatingWebhook
                {
                    Name = "vmanagedroost.roost.birb.party",
                    ClientConfig = clientConfig,
                    AdmissionReviewVersions = ["v1"],
                    SideEffects = "None",
                },
            ],
        });

    public Admissionregistrationv1WebhookClientConfig ServiceClientConfig(string service) =>
        new() { Service = new Admissionregistrationv1ServiceReference { Name = service, NamespaceProperty = Namespace, Path = "/validate" } };

    /// <summary>Waits until the pods of <paramref name="app"/> number <paramref name="count"/> and <paramref name="ready"/> of them are ready.</summary>
    public Task WaitForPodsAsync(string app, int count, int ready) =>
        Until(async () =>
        {
            var pods = (await Admin.CoreV1.ListNamespacedPodAsync(Namespace, labelSelector: $"app={app}")).Items;
            return pods.Count == count && pods.Count(ControllerTestKit.IsReady) == ready;
        }, $"{ready} of {count} pods of {app} ready");

    /// <summary>Runs the manager until the entry of <paramref name="check"/> satisfies <paramref name="done"/>; fails with the last entry seen.</summary>
    public static async Task<HealthReportEntry> CheckUntilAsync(HealthManager manager, string check, Func<HealthReportEntry, bool> done) =>
        await Eventually.UntilAsync(
            async () => (await manager.CheckHealthAsync(CancellationToken.None)).Entries[check],
            done,
            $"check {check} to change",
            Patience,
            describe: entry => $"{entry.Status}: {entry.Description} {entry.Exception}");

    public static Task Until(Func<Task<bool>> condition, string what) => Eventually.UntilAsync(condition, what, Patience);

    public static Task Until(Func<bool> condition, string what) => Eventually.UntilAsync(condition, what, Patience);

    public ValueTask DisposeAsync() => Cluster.DisposeAsync();
}
