using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Diagnostics;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Health;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Tests.Health;

/// <summary>AddRoostHa().AddHealthChecks(): options at start-up, the periodic monitor's metrics and logs, and ASP.NET Core's own health service.</summary>
public sealed class HealthHostingTests
{
    [Fact]
    public async Task Bad_health_options_fail_start_up_with_the_option_and_the_rule()
    {
        await using var kit = await HealthTestKit.StartAsync();
        using var host = Host(kit, o => o.Interval = TimeSpan.Zero);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("RoostHa:Health:Interval (0ms) must be greater than zero.", error.Message);
    }

    [Fact]
    public async Task Step_down_shorter_than_the_interval_fails_start_up()
    {
        await using var kit = await HealthTestKit.StartAsync();
        using var host = Host(kit, o => o.Interval = TimeSpan.FromSeconds(30), stepDown: TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("RoostHa:Health:StepDownAfter (5s) must be at least Interval (30s)", error.Message);
    }

    [Fact]
    public async Task The_checks_are_ordinary_registrations_that_the_framework_health_service_runs_too()
    {
        await using var kit = await HealthTestKit.StartAsync();
        using var host = Host(kit, _ => { });
        await host.StartAsync();

        var framework = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        var ours = await host.Services.GetRequiredService<HaManager>().CheckClusterHealthAsync();

        Assert.Equal(["kubernetes-api", "leader-election", "pods/app=roost"], framework.Entries.Keys.Order());
        Assert.Equal(framework.Entries.Keys.Order(), ours.Entries.Keys.Order());
        Assert.Equal(HealthStatus.Healthy, framework.Entries["kubernetes-api"].Status);
        Assert.Equal(["kubernetes-api", "leader-election", "pods/app=roost"], host.Services.GetRequiredService<HealthManager>().CheckNames.Order());
        await host.StopAsync();
    }

    [Fact]
    public async Task The_monitor_publishes_status_gauges_and_durations_and_logs_only_transitions()
    {
        await using var kit = await HealthTestKit.StartAsync();
        var logs = new LogCollector();
        var measurements = new ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var host = Host(kit, o => o.Interval = TimeSpan.FromMilliseconds(100), logs: logs);
        var meter = host.Services.GetRequiredService<ElectionMetrics>().Meter;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter == meter)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Enqueue((i.Name, v, ToDictionary(tags))));
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => measurements.Enqueue((i.Name, v, ToDictionary(tags))));
        listener.Start();
        var monitor = host.Services.GetRequiredService<HealthMonitor>();

        await host.StartAsync();
        await HealthTestKit.Until(() => monitor.Rounds >= 3, "three rounds");
        kit.Cluster.Faults.Partition("replica-a");
        await HealthTestKit.Until(() => host.Services.GetRequiredService<HealthManager>().LatestReport?.Entries["kubernetes-api"].Status == HealthStatus.Unhealthy, "the API check to fail");
        var failedAt = monitor.Rounds;
        await HealthTestKit.Until(() => monitor.Rounds >= failedAt + 3, "three more rounds");
        listener.RecordObservableInstruments();
        await host.StopAsync();

        Assert.Contains(measurements, m => m.Instrument == "roost_keeper.health.status" && (string?)m.Tags["check"] == "kubernetes-api" && m.Value == (int)HealthStatus.Unhealthy);
        Assert.Contains(measurements, m => m.Instrument == "roost_keeper.health.overall_status" && m.Value == (int)HealthStatus.Unhealthy);
        Assert.Contains(measurements, m => m.Instrument == "roost_keeper.health.check.duration" && (string?)m.Tags["check"] == "kubernetes-api" && (string?)m.Tags["status"] == "Healthy");
        // One warning for the change, not one per failing round.
        Assert.Single(logs.Entries, e => e.EventId == 2000 && e.Message.Contains("kubernetes-api", StringComparison.Ordinal));
    }

    private static IHost Host(HealthTestKit kit, Action<HealthOptions> options, TimeSpan? stepDown = null, LogCollector? logs = null)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<IKubernetes>(kit.Cluster.CreateClient("replica-a"));
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        var ha = builder.Services.AddRoostHa(o =>
            {
                o.LeaseName = "roost-keeper-controller";
                o.LeaseNamespace = kit.Namespace;
                o.Identity = "replica-a";
            })
            .AddHealthChecks(h => h.AddKubernetesApi().AddLeaderElection().AddReadyPods("app=roost", minReady: 0), options);
        if (stepDown is { } after)
        {
            ha.StepDownWhenUnhealthy(after);
        }

        return builder.Build();
    }

    private static Dictionary<string, object?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            result[tag.Key] = tag.Value;
        }

        return result;
    }
}
