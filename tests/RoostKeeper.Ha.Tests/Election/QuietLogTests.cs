using System.Diagnostics.Metrics;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Moq;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Health;

namespace RoostKeeper.Ha.Tests.Election;

/// <summary>Repeated failures are logged when they change, then at a bounded rate with a count; expected start-up states are not warnings.</summary>
public sealed class QuietLogTests
{
    [Fact]
    public async Task An_unreachable_API_server_is_logged_on_change_then_once_a_minute_with_a_count()
    {
        await using var harness = new ElectionHarness();
        var logs = new LogCollector();
        await harness.StartLeaderAsync("b");
        harness.Loggers = logs;
        var a = harness.StartReplica("a");
        Assert.True(await harness.RunUntilAsync(() => a.Manager.LeaderIdentity == "b", TimeSpan.FromMinutes(1)));

        a.Client.Partition();
        await harness.RunForAsync(TimeSpan.FromMinutes(3)); // about 90 failed reads and acquires at RetryPeriod 2 s

        var loud = logs.At(LogLevel.Warning);
        Assert.True(loud.Count <= 6, $"{loud.Count} warnings:\n{string.Join("\n", loud.Select(e => $"{e.EventId} {e.Message}"))}");
        var summary = Assert.Single(logs.WithId(1017).Take(1));
        Assert.Matches("\\(\\d+ more times in about", summary.Message);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Information && e.Exception is not null);

        a.Client.Partitioned = false;
        Assert.True(await harness.RunUntilAsync(() => logs.WithId(1018).Count == 1, TimeSpan.FromMinutes(1)), "no line saying the calls succeed again");
        Assert.Equal(LogLevel.Information, logs.WithId(1018)[0].Level);
    }

    [Fact]
    public async Task A_check_that_starts_Degraded_is_information_and_a_later_Degraded_is_a_warning()
    {
        var status = HealthStatus.Degraded;
        var logs = new LogCollector();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var health = new HealthManager(Mock.Of<IKubernetes>(), h => h.AddCheck("election", () => new HealthCheckResult(status, "no leader yet")), new HealthOptions { Namespace = "roost" }, timeProvider: time);
        using var meter = new Meter("test.quiet-logs");
        using var monitor = new HealthMonitor(health, new HealthMetrics(meter), elector: null, Mock.Of<IKubernetes>(), logs.CreateLogger("health"), time);
        using var stop = new CancellationTokenSource();
        var loop = monitor.RunAsync(stop.Token);

        await RoundsAsync(monitor, time, 1);
        Assert.Empty(logs.At(LogLevel.Warning));
        Assert.Equal(LogLevel.Information, Assert.Single(logs.WithId(2014)).Level);

        status = HealthStatus.Healthy;
        await RoundsAsync(monitor, time, 2);
        status = HealthStatus.Degraded;
        await RoundsAsync(monitor, time, 3);
        Assert.Equal(LogLevel.Warning, Assert.Single(logs.WithId(2000)).Level);

        await stop.CancelAsync();
        await loop;
    }

    [Fact]
    public async Task A_health_publication_that_keeps_failing_is_one_warning_without_a_stack_then_a_count()
    {
        await using var cluster = await RoostKeeper.Ha.Testing.SimulatedCluster.StartAsync();
        cluster.Faults.FailNext("publisher", System.Net.HttpStatusCode.InternalServerError, count: 10_000);
        var logs = new LogCollector();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var ha = new HaManager(Mock.Of<IKubernetes>(), new LeaderElectionOptions { LeaseName = "roost", LeaseNamespace = "roost-system", Identity = "replica-a" });
        var options = new HealthOptions { Namespace = "roost-system", Interval = TimeSpan.FromSeconds(30), StepDownAfter = TimeSpan.FromMinutes(1) };
        var health = new HealthManager(Mock.Of<IKubernetes>(), h => h.AddCheck("ok", () => HealthCheckResult.Healthy()), options, ha.Elector, loggerFactory: null, time, sharedMeter: null);
        using var meter = new Meter("test.quiet-publish");
        using var monitor = new HealthMonitor(health, new HealthMetrics(meter), ha.Elector, cluster.CreateClient("publisher"), logs.CreateLogger("health"), time);
        using var stop = new CancellationTokenSource();
        var loop = monitor.RunAsync(stop.Token);

        await RoundsAsync(monitor, time, 10); // five minutes of rounds, every publication failing

        var published = logs.WithId(2007);
        Assert.InRange(published.Count, 1, 6); // the first, then at most one a minute; the old code logged all 10
        Assert.All(published, e => Assert.Null(e.Exception));
        Assert.Contains(logs.WithId(2015), e => e.Level == LogLevel.Debug && e.Exception is not null);

        await stop.CancelAsync();
        await loop;
    }

    private static async Task RoundsAsync(HealthMonitor monitor, FakeTimeProvider time, int rounds)
    {
        for (var i = 0; i < 2000 && monitor.Rounds < rounds; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(1);
        }

        Assert.True(monitor.Rounds >= rounds, $"only {monitor.Rounds} rounds ran");
    }
}
