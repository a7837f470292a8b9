using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using RoostKeeper.Ha.Health;
using RoostKeeper.Ha.Sharding;

namespace RoostKeeper.Ha.Tests.Sharding;

/// <summary>The health step-down for shards: when the latest report says drain, and what the gate does to the coordinator.</summary>
public sealed class ShardHealthGateTests
{
    private static readonly TimeSpan StepDownAfter = TimeSpan.FromSeconds(60);

    private sealed class Switch : IHealthCheck
    {
        public HealthStatus Status { get; set; } = HealthStatus.Healthy;

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(new HealthCheckResult(Status, "set by the test"));
    }

    private static (HealthManager Health, Switch Check) Health(TimeProvider time, TimeSpan? interval = null)
    {
        var check = new Switch();
        var registration = new HealthCheckRegistration("switch", check, HealthStatus.Unhealthy, tags: null);
        var options = new HealthOptions { Interval = interval ?? TimeSpan.FromSeconds(10) };
        return (new HealthManager([registration], new ServiceCollection().BuildServiceProvider(), options, NullLogger.Instance, time), check);
    }

    private static async Task ReportAsync(HealthManager health, Switch check, HealthStatus status)
    {
        check.Status = status;
        Assert.Equal(status, (await health.CheckHealthAsync(CancellationToken.None)).Status);
    }

    [Fact]
    public async Task Only_a_report_unhealthy_for_StepDownAfter_drains_and_any_other_status_restarts_the_count()
    {
        var time = new FakeTimeProvider();
        var (health, check) = Health(time);
        var gate = new ShardHealthGate(health, StepDownAfter, time);

        Assert.False(gate.Evaluate()); // no report yet
        await ReportAsync(health, check, HealthStatus.Healthy);
        Assert.False(gate.Evaluate());

        await ReportAsync(health, check, HealthStatus.Unhealthy);
        Assert.False(gate.Evaluate()); // the count starts at the first unhealthy evaluation
        time.Advance(StepDownAfter - TimeSpan.FromSeconds(1));
        Assert.False(gate.Evaluate());
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(gate.Evaluate());

        // Degraded is not a reason to give work away, and it ends the unhealthy stretch.
        await ReportAsync(health, check, HealthStatus.Degraded);
        Assert.False(gate.Evaluate());
        await ReportAsync(health, check, HealthStatus.Unhealthy);
        Assert.False(gate.Evaluate());
        time.Advance(StepDownAfter / 2);
        Assert.False(gate.Evaluate());
        time.Advance(StepDownAfter / 2);
        Assert.True(gate.Evaluate());

        await ReportAsync(health, check, HealthStatus.Healthy);
        Assert.False(gate.Evaluate());
    }

    [Fact]
    public async Task The_gate_drains_a_replica_for_step_down_gives_it_back_when_healthy_and_never_undoes_another_drain()
    {
        var harness = new ShardHarness();
        await using var _ = harness;
        var replicas = new[] { harness.Start("gate-a"), harness.Start("gate-b"), harness.Start("gate-c") };
        Assert.True(await harness.RunUntilAsync(() => harness.Balanced(replicas), TimeSpan.FromMinutes(1)), "three replicas did not balance");
        var sick = replicas.First(r => !r.IsLeader);
        var others = replicas.Where(r => r != sick).ToArray();
        var (health, check) = Health(harness.Time, interval: TimeSpan.FromSeconds(5));
        var gate = new ShardHealthGate(health, StepDownAfter, harness.Time);
        using var stop = new CancellationTokenSource();
        var running = gate.RunAsync(sick.Coordinator, stop.Token);

        await ReportAsync(health, check, HealthStatus.Unhealthy);
        Assert.True(await harness.RunUntilAsync(() => sick.Coordinator.DrainReason is not null, 2 * StepDownAfter), "the gate never drained the replica");
        Assert.Equal("step_down", sick.Coordinator.DrainReason);
        Assert.True(await harness.RunUntilAsync(() => harness.Balanced(others), harness.LeaseDuration), "the sick replica's shards did not move");
        Assert.Empty(sick.Ownership.OwnedShards);

        await ReportAsync(health, check, HealthStatus.Healthy);
        Assert.True(await harness.RunUntilAsync(() => sick.Coordinator.DrainReason is null, TimeSpan.FromSeconds(30)), "the gate did not end the drain");
        Assert.True(await harness.RunUntilAsync(() => harness.Balanced(replicas), harness.LeaseDuration), "the recovered replica did not get its share back");

        // A drain the gate did not start (the replica is stopping) is not the gate's to end.
        sick.Coordinator.SetDraining("stopping");
        await harness.RunForAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("stopping", sick.Coordinator.DrainReason);

        await stop.CancelAsync();
        Assert.True(await harness.RunUntilAsync(() => running.IsCompleted, TimeSpan.FromSeconds(30)), "the gate did not stop");
        await running; // ends quietly on its token
        Assert.Empty(harness.Recorder.Overlaps());
    }
}
