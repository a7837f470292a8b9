using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using RoostKeeper.Ha.Diagnostics;
using RoostKeeper.Ha.Health;
using RoostKeeper.Ha.Recovery;
using RoostKeeper.Ha.RollingUpdates;
using RoostKeeper.Ha.Testing;
using RoostKeeper.Ha.Tests.Election;
using RoostKeeper.Ha.Tests.Health;
using RoostKeeper.Ha.Tests.Recovery;

namespace RoostKeeper.Ha.Tests.Diagnostics;

/// <summary>
/// A controller's whole high-availability life on SimulatedCluster, run once and shared by the tests that need it
/// (docs/metrics.md against the instruments, the sample's RBAC against the requests): three replicas configured as
/// the sample is (every health check, step-down on ill health, backups of ManagedRoosts in every namespace, rolling
/// updates) elect a leader and run health rounds; a follower is cut off for a moment (Lease failures); the leader
/// records reconciles, backs up, validates, restores a deleted object, rolls a Deployment out (succeeds), rolls a
/// crash-looping image back, and lets one fail without rollback; then ill health makes it hand over and stop.
/// Every replica shares one <see cref="IMeterFactory"/> that only this tour uses, so a <see cref="MeterListener"/>
/// filtered by its scope sees this tour's instruments and no other test's.
/// </summary>
public sealed class ControllerTour : IAsyncLifetime
{
    public const string Group = "roost.birb.party";
    public const string Version = "v1alpha1";
    public const string Plural = "managedroosts";
    public const string RolloutDeployment = "roost-controller";
    public const string OtherNamespace = "roost-tenant";

    public static readonly string[] Replicas = ["replica-a", "replica-b", "replica-c"];

    private readonly ServiceProvider _metricsServices = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ConcurrentDictionary<Instrument, Seen> _seen = new();
    private readonly string _backups = Path.Combine(Path.GetTempPath(), $"roostha-tour-{Guid.NewGuid():N}");
    private MeterListener? _listener;
    private HealthTestKit? _kit;

    /// <summary>Each instrument of the tour's meter and what it recorded.</summary>
    public IReadOnlyDictionary<Instrument, Seen> Instruments => _seen;

    /// <summary>The simulated API server, with the requests every replica made (<see cref="SimulatedCluster.Requests"/>).</summary>
    public SimulatedCluster Cluster => _kit!.Cluster;

    /// <summary>The namespace the replicas, their Lease and the rolled-out Deployment live in.</summary>
    public string Namespace => _kit!.Namespace;

    public async Task InitializeAsync()
    {
        var factory = _metricsServices.GetRequiredService<IMeterFactory>();
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                // By scope: other tests create meters named "RoostKeeper.Ha" in parallel, from other factories.
                if (ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    _seen.TryAdd(instrument, new Seen());
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((i, _, tags, _) => Record(i, tags));
        _listener.SetMeasurementEventCallback<int>((i, _, tags, _) => Record(i, tags));
        _listener.SetMeasurementEventCallback<double>((i, _, tags, _) => Record(i, tags));
        _listener.Start();

        _kit = await HealthTestKit.StartAsync();
        await RunAsync(factory);
    }

    public async Task DisposeAsync()
    {
        _listener?.Dispose();
        if (_kit is not null)
        {
            await _kit.DisposeAsync();
        }

        await _metricsServices.DisposeAsync();
        if (Directory.Exists(_backups))
        {
            Directory.Delete(_backups, recursive: true);
        }
    }

    private async Task RunAsync(IMeterFactory factory)
    {
        var kit = _kit!;
        foreach (var name in Replicas)
        {
            await kit.CreatePodAsync(name, "roost", $"roost:{name}");
        }

        await kit.CreateDeploymentAsync("web", "roost:web", 1);
        await kit.CreateServiceAsync("roost-svc", "roost");
        await kit.CreateWebhookConfigurationAsync("roost-keeper-webhook", kit.ServiceClientConfig("roost-svc"));
        await kit.Admin.AppsV1.CreateNamespacedDeploymentAsync(ControllerTestKit.Deployment(RolloutDeployment, "roost:v1", 2), kit.Namespace);
        await SeedRoostsAsync(kit.Admin, kit.Namespace);
        await kit.WaitForPodsAsync("roost", 3, 3);
        await ControllerTestKit.WaitForRolloutAsync(kit.Admin, kit.Namespace, RolloutDeployment);
        kit.Cluster.Images.Set("roost:crash", ImageHealth.CrashLooping);

        var leadership = new LeadershipRecorder();
        var replicas = Replicas.Select(name => new ReplicaHost(name, kit.Cluster.CreateClient(name), kit.Namespace, leadership, ha =>
        {
            ha.Services.AddSingleton(factory);
            AddTourHealthChecks(ha, name)
                .StepDownWhenUnhealthy(TimeSpan.FromSeconds(1))
                .AddBackups(b => b.Include(Group, Version, Plural).ToDirectory(_backups))
                .AddRollingUpdates(o =>
                {
                    o.PollInterval = TimeSpan.FromMilliseconds(50);
                    o.ReadinessTimeout = TimeSpan.FromSeconds(20);
                    o.Timeout = TimeSpan.FromSeconds(60);
                    o.RollbackTimeout = TimeSpan.FromSeconds(60);
                })
                .AddShardedLeadership(o => o.Shards = 4);
        })).ToList();
        try
        {
            foreach (var replica in replicas)
            {
                await replica.StartAsync();
            }

            var leader = await LeaderAsync(replicas);
            await HealthTestKit.Until(() => replicas.All(r => r.Services.GetRequiredService<HealthMonitor>().Rounds >= 2), "two health rounds on every replica");

            // A follower cut off from the API server: its watch and reads of the Lease fail.
            var follower = replicas.First(r => r != leader);
            kit.Cluster.Faults.Partition(follower.Name);
            await HealthTestKit.Until(() => Recorded(HaInstruments.LeaderElectionFailures), "a Lease failure on the cut-off follower");
            kit.Cluster.Faults.Heal(follower.Name);

            // The user's controller reconciles on the leader.
            var reconciles = leader.Services.GetRequiredService<ReconcileRecorder>();
            reconciles.Start("managedroost").Complete(ReconcileResult.Success);
            reconciles.Record("managedroost", ReconcileResult.Error, TimeSpan.FromMilliseconds(20));

            // Back up, validate, lose an object, restore it.
            var recovery = leader.Services.GetRequiredService<RecoveryManager>();
            var backup = await recovery.CreateBackupAsync();
            await recovery.ValidateBackupAsync(backup.Id);
            await kit.Admin.CustomObjects.DeleteNamespacedCustomObjectAsync(Group, Version, OtherNamespace, Plural, "roost-1");
            await recovery.RestoreFromBackupAsync(backup.Id, new RestoreOptions { VerifyHealth = false });

            // Roll out: one update succeeds, a crash-looping one is rolled back, another is left failed.
            var rollouts = leader.Services.GetRequiredService<RollingUpdateManager>();
            var phases = new[]
            {
                (await rollouts.PerformRollingUpdateAsync(kit.Namespace, RolloutDeployment, "roost:v2")).Phase,
                (await rollouts.PerformRollingUpdateAsync(kit.Namespace, RolloutDeployment, "roost:crash")).Phase,
                (await rollouts.PerformRollingUpdateAsync(kit.Namespace, RolloutDeployment, "roost:crash", Fast(o => o.RollbackOnFailure = false))).Phase,
            };
            Assert.Equal([RollingUpdatePhase.Succeeded, RollingUpdatePhase.RolledBack, RollingUpdatePhase.Failed], phases);

            // Observable gauges report when collected: collect while every replica still runs.
            _listener!.RecordObservableInstruments();

            // Ill health makes the leader hand over to a healthy peer; then it stops and releases.
            kit.Cluster.Images.Set($"roost:{leader.Name}", ImageHealth.NeverReady);
            var next = await LeaderAsync(replicas.Where(r => r != leader).ToList());
            await leader.StopAsync();
            await HealthTestKit.Until(() => next.Services.GetRequiredService<HealthMonitor>().Rounds >= 6, "more rounds on the new leader");
            _listener.RecordObservableInstruments();
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }
        }
    }

    private static RollingUpdateOptions Fast(Action<RollingUpdateOptions> configure)
    {
        var options = new RollingUpdateOptions
        {
            PollInterval = TimeSpan.FromMilliseconds(50),
            ReadinessTimeout = TimeSpan.FromSeconds(20),
            Timeout = TimeSpan.FromSeconds(60),
            RollbackTimeout = TimeSpan.FromSeconds(60),
        };
        configure(options);
        return options;
    }

    /// <summary>Every built-in check against the tour's objects, as each replica of the tour (and its RBAC variant) runs them.</summary>
    internal static IRoostHaBuilder AddTourHealthChecks(IRoostHaBuilder ha, string podName) =>
        ha.AddHealthChecks(
            h => h.AddKubernetesApi()
                .AddLeaderElection()
                .AddDeploymentReplicas("web")
                .AddReadyPods("app=roost", requireThisPod: true)
                .AddServiceEndpoints("roost-svc")
                .AddWebhook("roost-keeper-webhook"),
            o =>
            {
                o.Interval = TimeSpan.FromMilliseconds(300);
                o.PodName = podName;
            });

    internal static async Task SeedRoostsAsync(IKubernetes admin, string ns)
    {
        await admin.ApiextensionsV1.CreateCustomResourceDefinitionAsync(RecoveryTestBed.Definition());
        await admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = OtherNamespace } });
        for (var i = 0; i < 4; i++)
        {
            var roost = new JsonObject
            {
                ["apiVersion"] = $"{Group}/{Version}",
                ["kind"] = "ManagedRoost",
                ["metadata"] = new JsonObject { ["name"] = $"roost-{i}" },
                ["spec"] = new JsonObject { ["perches"] = i + 1 },
            };
            await ControllerTestKit.WaitForAsync(
                async () =>
                {
                    try
                    {
                        await admin.CustomObjects.CreateNamespacedCustomObjectAsync(roost, Group, Version, i % 2 == 0 ? ns : OtherNamespace, Plural);
                        return true;
                    }
                    catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
                    {
                        return false; // the definition is not served yet
                    }
                },
                created => created,
                "the ManagedRoost definition to be served");
        }
    }

    private static async Task<ReplicaHost> LeaderAsync(IReadOnlyList<ReplicaHost> candidates)
    {
        ReplicaHost? leader = null;
        await HealthTestKit.Until(() => (leader = candidates.FirstOrDefault(r => r.Manager.IsLeader)) is not null, "a leader");
        return leader!;
    }

    private bool Recorded(string instrument) => _seen.Any(p => p.Key.Name == instrument && p.Value.Measurements > 0);

    private void Record(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var seen = _seen.GetOrAdd(instrument, _ => new Seen());
        Interlocked.Increment(ref seen.Measurements);
        foreach (var tag in tags)
        {
            seen.LabelKeys.TryAdd(tag.Key, 0);
        }
    }

    /// <summary>What one instrument recorded: how many measurements, and every label key any of them carried.</summary>
    public sealed class Seen
    {
        public long Measurements;

        public ConcurrentDictionary<string, byte> LabelKeys { get; } = new();
    }
}
