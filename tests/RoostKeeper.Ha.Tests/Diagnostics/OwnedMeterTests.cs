using System.Diagnostics.Metrics;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Moq;
using RoostKeeper.Ha.Diagnostics;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Health;
using RoostKeeper.Ha.Recovery;
using RoostKeeper.Ha.Recovery.Stores;
using RoostKeeper.Ha.RollingUpdates;

namespace RoostKeeper.Ha.Tests.Diagnostics;

/// <summary>
/// The four managers are built alike: a Kubernetes client named <c>kubernetes</c>, an optional
/// <see cref="IMeterFactory"/>, and without one a "RoostKeeper.Ha" meter of their own that Dispose releases.
/// </summary>
public sealed class OwnedMeterTests
{
    public static TheoryData<string> Managers => ["election", "health", "recovery", "rolling-updates"];

    [Theory]
    [MemberData(nameof(Managers))]
    public void A_manager_without_a_meter_factory_disposes_the_meter_it_created(string manager)
    {
        var completed = new List<Meter>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == HaTelemetry.Name)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.MeasurementsCompleted = (instrument, _) =>
        {
            lock (completed)
            {
                completed.Add(instrument.Meter);
            }
        };
        listener.Start();
        var (created, meter) = Create(manager);

        created.Dispose();

        Assert.Equal(HaTelemetry.Name, meter.Name);
        lock (completed)
        {
            Assert.Contains(meter, completed);
        }
    }

    [Theory]
    [MemberData(nameof(Managers))]
    public void Every_manager_takes_the_client_as_kubernetes_and_an_optional_meter_factory(string manager)
    {
        var type = manager switch
        {
            "election" => typeof(HaManager),
            "health" => typeof(HealthManager),
            "recovery" => typeof(RecoveryManager),
            _ => typeof(RollingUpdateManager),
        };

        var constructor = Assert.Single(type.GetConstructors());
        var parameters = constructor.GetParameters();

        Assert.Equal(("kubernetes", typeof(IKubernetes)), (parameters[0].Name, parameters[0].ParameterType));
        var meterFactory = Assert.Single(parameters, p => p.ParameterType == typeof(IMeterFactory));
        Assert.True(meterFactory.HasDefaultValue);
        Assert.True(typeof(IDisposable).IsAssignableFrom(type));
    }

    private static (IDisposable Manager, Meter Meter) Create(string manager)
    {
        var kubernetes = Mock.Of<IKubernetes>();
        switch (manager)
        {
            case "election":
                var ha = new HaManager(kubernetes, new LeaderElectionOptions { LeaseName = "roost", LeaseNamespace = "roost-system", Identity = "replica-a" });
                return (ha, ha.Metrics.Meter);
            case "health":
                var health = new HealthManager(kubernetes, h => h.AddCheck("ok", () => HealthCheckResult.Healthy()), new HealthOptions { Namespace = "roost-system" });
                return (health, health.Metrics!.Meter);
            case "recovery":
                var store = new Mock<IBackupStore>().Object;
                var options = new BackupOptions();
                options.Resources.Add(new BackupResource("", "v1", "configmaps"));
                var recovery = new RecoveryManager(kubernetes, options, store);
                return (recovery, recovery.Metrics.Meter);
            default:
                var updates = new RollingUpdateManager(kubernetes);
                return (updates, updates.Metrics.Meter);
        }
    }
}
