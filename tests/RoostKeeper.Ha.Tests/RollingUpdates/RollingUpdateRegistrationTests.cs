using System.Diagnostics;
using System.Diagnostics.Metrics;
using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Moq;
using RoostKeeper.Ha.Diagnostics;
using RoostKeeper.Ha.RollingUpdates;

namespace RoostKeeper.Ha.Tests.RollingUpdates;

/// <summary>AddRollingUpdates: options, validation at start-up, the leader gate, and telemetry.</summary>
public sealed class RollingUpdateRegistrationTests
{
    [Fact]
    public async Task Host_with_an_invalid_rolling_update_option_fails_at_start_up_naming_it()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(Mock.Of<IKubernetes>());
        builder.Services.AddRoostHa(o => (o.LeaseName, o.LeaseNamespace) = ("roost", "roost-system")).AddRollingUpdates(o => o.MaxRestarts = 0);
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("RoostHa:RollingUpdates:MaxRestarts (0) must be at least 1.", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PollInterval", "00:00:00.001", "RoostHa:RollingUpdates:PollInterval (1ms) must be from 10ms to 60s")]
    [InlineData("ReadinessTimeout", "00:20:00", "RoostHa:RollingUpdates:ReadinessTimeout (1200s) must be less than Timeout (600s)")]
    [InlineData("MaxSurge", "lots", "RoostHa:RollingUpdates:MaxSurge \"lots\" must be a non-negative count or a percentage")]
    public void Options_bind_from_configuration_and_bad_values_are_named(string key, string value, string expected)
    {
        using var provider = Provider(new() { ["RoostHa:RollingUpdates:" + key] = value });

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RollingUpdateOptions>>().Value);

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Percentages_and_durations_bind_from_configuration_and_code_applies_after()
    {
        using var provider = Provider(new()
        {
            ["RoostHa:RollingUpdates:MaxSurge"] = "50%",
            ["RoostHa:RollingUpdates:MaxUnavailable"] = "0",
            ["RoostHa:RollingUpdates:ReadinessTimeout"] = "00:00:45",
            ["RoostHa:RollingUpdates:MaxRestarts"] = "5",
        }, o => o.MaxRestarts = 2);

        var options = provider.GetRequiredService<IOptions<RollingUpdateOptions>>().Value;

        Assert.Equal(("50%", "0", TimeSpan.FromSeconds(45), 2), (options.MaxSurge?.Value, options.MaxUnavailable?.Value, options.ReadinessTimeout, options.MaxRestarts));
    }

    [Fact]
    public async Task A_replica_that_is_not_the_leader_refuses_to_update()
    {
        using var provider = Provider([]);
        var manager = provider.GetRequiredService<RollingUpdateManager>();

        var e = await Assert.ThrowsAsync<RollingUpdateRefusedException>(() => manager.PerformRollingUpdateAsync("ns", "roost", "roost:v2"));

        Assert.Contains("(replica-a) is not the leader", Assert.Single(e.Problems), StringComparison.Ordinal);
        Assert.Equal("replica-a", manager.Identity);
    }

    [SimulatedOnlyFact("simulated Deployment controller")]
    public async Task The_leader_updates_and_publishes_metrics_and_an_activity()
    {
        await using var h = await RolloutHarness.StartAsync(replicas: 2);
        h.Simulation.Images.Set("roost:crash", RoostKeeper.Ha.Testing.ImageHealth.CrashLooping);
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(h.Simulation.CreateClient("leader"));
        builder.Services.AddRoostHa(o => (o.LeaseName, o.LeaseNamespace, o.Identity) = ("roost-lease", h.Namespace, "replica-a")).AddRollingUpdates(o => o.PollInterval = TimeSpan.FromMilliseconds(50));
        using var host = builder.Build();
        await host.StartAsync();
        var ha = host.Services.GetRequiredService<RoostKeeper.Ha.HaManager>();
        await ControllerTestKit.WaitForAsync(() => Task.FromResult(ha.IsLeader), l => l, "replica-a to lead");
        var measurements = new List<(string Name, double Value, string? Tag)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) => { if (i.Meter.Name == HaTelemetry.Name && i.Name.StartsWith("roost_keeper.rolling_update", StringComparison.Ordinal)) { l.EnableMeasurementEvents(i); } };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i.Name, v, tags));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i.Name, v, tags));
        listener.Start();
        var activities = new List<Activity>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == HaTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (activities) { activities.Add(a); } },
        };
        ActivitySource.AddActivityListener(activityListener);
        var manager = host.Services.GetRequiredService<RollingUpdateManager>();

        var good = await manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:v2");
        var bad = await manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:crash");
        await host.StopAsync();

        Assert.Equal((RollingUpdatePhase.Succeeded, RollingUpdatePhase.RolledBack), (good.Phase, bad.Phase));
        lock (measurements)
        {
            Assert.Equal(2, measurements.Count(m => m.Name == "roost_keeper.rolling_update.started"));
            Assert.Single(measurements, m => m.Name == "roost_keeper.rolling_update.succeeded");
            Assert.Single(measurements, m => m.Name == "roost_keeper.rolling_update.rolled_back" && m.Tag == "CrashLoop");
            Assert.Equal(2, measurements.Count(m => m.Name == "roost_keeper.rolling_update.duration" && m.Value > 0));
        }

        lock (activities)
        {
            var updates = activities.Where(a => a.OperationName == HaActivities.RollingUpdate && (string?)a.GetTagItem("k8s.namespace.name") == h.Namespace).ToList();
            Assert.Equal([ActivityStatusCode.Ok, ActivityStatusCode.Error], updates.Select(a => a.Status));
            Assert.All(updates, a => Assert.Equal("roost", a.GetTagItem("k8s.deployment.name")));
        }

        void Record(string name, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? failure = null;
            var mine = false;
            foreach (var tag in tags)
            {
                failure = tag.Key == "failure" ? tag.Value as string : failure;
                mine |= tag.Key == "namespace" && (string?)tag.Value == h.Namespace;
            }

            // Other tests in this process publish on meters of the same name: count only this test's namespace.
            if (!mine)
            {
                return;
            }

            lock (measurements)
            {
                measurements.Add((name, value, failure));
            }
        }
    }

    private static ServiceProvider Provider(Dictionary<string, string?> configuration, Action<RollingUpdateOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(configuration).Build());
        services.AddSingleton(Mock.Of<IKubernetes>());
        services.AddRoostHa(o => (o.LeaseName, o.LeaseNamespace, o.Identity) = ("roost", "roost-system", "replica-a")).AddRollingUpdates(configure);
        return services.BuildServiceProvider();
    }
}
