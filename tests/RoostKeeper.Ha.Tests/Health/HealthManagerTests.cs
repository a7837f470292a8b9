using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using RoostKeeper.Ha.Health;

namespace RoostKeeper.Ha.Tests.Health;

/// <summary>The manager's contract: concurrent checks under timeouts, failures as entries, overall status, shared reads.</summary>
public sealed class HealthManagerTests
{
    [Fact]
    public async Task A_hung_check_is_reported_as_timed_out_and_does_not_hold_the_others()
    {
        await using var kit = await HealthTestKit.StartAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var never = new TaskCompletionSource<HealthCheckResult>();
        var health = kit.Manager(
            h => h.AddAsyncCheck("hung", () => never.Task, timeout: TimeSpan.FromSeconds(5))
                  .AddCheck("fine", () => HealthCheckResult.Healthy("ok")),
            time: time);

        var round = health.CheckHealthAsync(CancellationToken.None);
        await AdvanceUntilDoneAsync(time, round);
        var report = await round;

        var hung = report.Entries["hung"];
        Assert.Equal(HealthStatus.Unhealthy, hung.Status);
        Assert.IsType<TimeoutException>(hung.Exception);
        Assert.StartsWith("Timed out after 5s", hung.Description);
        Assert.Equal(HealthStatus.Healthy, report.Entries["fine"].Status);
        Assert.Equal(HealthStatus.Unhealthy, report.Status);
    }

    [Fact]
    public async Task A_check_that_blocks_its_thread_still_times_out()
    {
        await using var kit = await HealthTestKit.StartAsync();
        using var release = new ManualResetEventSlim();
        var health = kit.Manager(
            h => h.AddCheck("blocking", () =>
            {
                release.Wait(HealthTestKit.Patience);
                return HealthCheckResult.Healthy();
            }, timeout: TimeSpan.FromMilliseconds(200)),
            new HealthOptions());

        var entry = (await health.CheckHealthAsync(CancellationToken.None)).Entries["blocking"];
        release.Set();

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.IsType<TimeoutException>(entry.Exception);
    }

    [Fact]
    public async Task A_check_that_honours_its_token_is_cancelled_at_its_timeout_and_reported_with_its_failure_status()
    {
        await using var kit = await HealthTestKit.StartAsync();
        var sawCancellation = new TaskCompletionSource();
        var health = kit.Manager(h => h.Add(new HealthCheckRegistration(
            "slow",
            new DelegateCheck(async ct =>
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                catch (OperationCanceledException)
                {
                    sawCancellation.TrySetResult();
                    throw;
                }

                return HealthCheckResult.Healthy();
            }),
            HealthStatus.Degraded,
            ["custom"],
            TimeSpan.FromMilliseconds(200))));

        var entry = (await health.CheckHealthAsync(CancellationToken.None)).Entries["slow"];

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains("custom", entry.Tags);
        await sawCancellation.Task.WaitAsync(HealthTestKit.Patience);
    }

    [Fact]
    public async Task A_throwing_check_becomes_an_entry_with_its_failure_status_and_exception()
    {
        await using var kit = await HealthTestKit.StartAsync();
        var health = kit.Manager(h => h
            .AddCheck("throws", () => throw new InvalidOperationException("the roost is on fire"))
            .Add(new HealthCheckRegistration("throws-degraded", new DelegateCheck(_ => throw new InvalidOperationException("smoke")), HealthStatus.Degraded, null))
            .AddAsyncCheck("throws-async", async () =>
            {
                await Task.Yield();
                throw new FormatException("bad");
            }));

        var report = await health.CheckHealthAsync(CancellationToken.None);

        Assert.Equal((HealthStatus.Unhealthy, "the roost is on fire"), (report.Entries["throws"].Status, report.Entries["throws"].Description));
        Assert.IsType<InvalidOperationException>(report.Entries["throws"].Exception);
        Assert.Equal(HealthStatus.Degraded, report.Entries["throws-degraded"].Status);
        Assert.IsType<FormatException>(report.Entries["throws-async"].Exception);
        Assert.Equal(HealthStatus.Unhealthy, report.Status);
    }

    [Theory]
    [InlineData(new[] { HealthStatus.Healthy, HealthStatus.Healthy }, HealthStatus.Healthy)]
    [InlineData(new[] { HealthStatus.Healthy, HealthStatus.Degraded }, HealthStatus.Degraded)]
    [InlineData(new[] { HealthStatus.Degraded, HealthStatus.Unhealthy, HealthStatus.Healthy }, HealthStatus.Unhealthy)]
    [InlineData(new HealthStatus[0], HealthStatus.Healthy)]
    public async Task Overall_status_is_the_worst_entry(HealthStatus[] statuses, HealthStatus overall)
    {
        await using var kit = await HealthTestKit.StartAsync();
        var health = kit.Manager(h =>
        {
            for (var i = 0; i < statuses.Length; i++)
            {
                var status = statuses[i];
                h.AddCheck($"check-{i}", () => new HealthCheckResult(status));
            }
        });

        var report = await health.CheckHealthAsync(CancellationToken.None);

        Assert.Equal(overall, report.Status);
        Assert.Equal(statuses.Length, report.Entries.Count);
        Assert.Same(report, health.LatestReport);
    }

    [Fact]
    public async Task Checks_run_concurrently()
    {
        await using var kit = await HealthTestKit.StartAsync();
        var arrived = 0;
        var all = new TaskCompletionSource();
        Func<Task<HealthCheckResult>> barrier = async () =>
        {
            if (Interlocked.Increment(ref arrived) == 3)
            {
                all.SetResult();
            }

            // Each check finishes only once all three have started: a sequential runner would time out here.
            await all.Task;
            return HealthCheckResult.Healthy();
        };
        var health = kit.Manager(h => h.AddAsyncCheck("a", barrier).AddAsyncCheck("b", barrier).AddAsyncCheck("c", barrier), new() { CheckTimeout = HealthTestKit.Patience });

        var report = await health.CheckHealthAsync(CancellationToken.None);

        Assert.Equal(HealthStatus.Healthy, report.Status);
    }

    [Fact]
    public async Task Reads_are_shared_within_a_round_and_repeated_in_the_next()
    {
        await using var kit = await HealthTestKit.StartAsync();
        await kit.CreateDeploymentAsync("roost", "roost:v1", 2);
        await kit.CreateServiceAsync("roost-keeper-webhook-service", "roost");
        await kit.CreateWebhookConfigurationAsync("roost-keeper-validating-webhook", kit.ServiceClientConfig("roost-keeper-webhook-service"));
        var health = kit.Manager(h => h
            .AddReadyPods("app=roost", minReady: 1)
            .AddReadyPods("app=roost", minReady: 2, name: "pods-again")
            .AddServiceEndpoints("roost-keeper-webhook-service")
            .AddWebhook("roost-keeper-validating-webhook")
            .AddDeploymentReplicas("roost")
            .AddKubernetesApi());
        await HealthTestKit.CheckUntilAsync(health, "service/roost-keeper-webhook-service", e => e.Status == HealthStatus.Healthy);
        var requests = kit.Cluster.Requests;

        requests.Reset();
        await health.CheckHealthAsync(CancellationToken.None);
        var first = (Pods: requests.Count("health", "list", "pods"), Slices: requests.Count("health", "list", "endpointslices"), Services: requests.Count("health", "get", "services"), Total: requests.Count("health"));
        requests.Reset();
        await health.CheckHealthAsync(CancellationToken.None);
        var second = requests.Count("health", "list", "pods");

        // Two pod checks share one LIST; the Service check and the webhook check share the Service GET and the slices LIST.
        Assert.Equal((1L, 1L, 1L), (first.Pods, first.Slices, first.Services));
        // pods, slices, service, webhook (validating + mutating), deployment, version.
        Assert.Equal(7L, first.Total);
        Assert.Equal(7, health.LastRoundReads);
        Assert.Equal(1L, second);
    }

    [Fact]
    public async Task Cancelling_the_round_cancels_the_call()
    {
        await using var kit = await HealthTestKit.StartAsync();
        var health = kit.Manager(h => h.AddAsyncCheck("slow", async ct =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return HealthCheckResult.Healthy();
        }), new() { CheckTimeout = HealthTestKit.Patience });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => health.CheckHealthAsync(cancel.Token));
    }

    [Fact]
    public async Task The_predicate_selects_checks_by_tag()
    {
        await using var kit = await HealthTestKit.StartAsync();
        var health = kit.Manager(h => h.AddKubernetesApi().AddCheck("other", () => HealthCheckResult.Unhealthy()));

        var report = await health.CheckHealthAsync(r => r.Tags.Contains(RoostHealthTags.Ready), CancellationToken.None);

        Assert.Equal(["kubernetes-api"], report.Entries.Keys);
        Assert.Equal(HealthStatus.Healthy, report.Status);
        Assert.Null(health.LatestReport);
    }

    [Fact]
    public async Task Duplicate_check_names_are_refused_with_the_names()
    {
        await using var kit = await HealthTestKit.StartAsync();

        var error = Assert.Throws<ArgumentException>(() => kit.Manager(h => h.AddKubernetesApi().AddKubernetesApi()));

        Assert.Contains("kubernetes-api", error.Message);
    }

    [Theory]
    [InlineData(0, 10, null, "RoostHa:Health:Interval (0ms) must be greater than zero.")]
    [InlineData(30, 0, null, "RoostHa:Health:CheckTimeout (0ms) must be greater than zero.")]
    [InlineData(30, 10, 10, "RoostHa:Health:StepDownAfter (10s) must be at least Interval (30s)")]
    public async Task Invalid_options_fail_with_the_option_and_the_rule(int intervalSeconds, int timeoutSeconds, int? stepDownSeconds, string message)
    {
        await using var kit = await HealthTestKit.StartAsync();
        var options = new HealthOptions
        {
            Interval = TimeSpan.FromSeconds(intervalSeconds),
            CheckTimeout = TimeSpan.FromSeconds(timeoutSeconds),
            StepDownAfter = stepDownSeconds is { } s ? TimeSpan.FromSeconds(s) : null,
        };

        var error = Assert.Throws<OptionsValidationException>(() => kit.Manager(h => h.AddKubernetesApi(), options));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Registration_arguments_are_checked_where_they_are_given()
    {
        var builder = new ServiceCollection().AddHealthChecks();

        Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddReadyPods("app=roost", minReady: -1));
        Assert.Throws<ArgumentException>(() => builder.AddServiceEndpoints(""));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddLeaderElection(tolerance: TimeSpan.FromSeconds(-1)));
    }

    private static async Task AdvanceUntilDoneAsync(FakeTimeProvider time, Task task)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!task.IsCompleted)
        {
            Assert.True(clock.Elapsed < HealthTestKit.Patience, "the round did not finish");
            time.Advance(TimeSpan.FromMilliseconds(500));
            await Task.Delay(20);
        }
    }

    private sealed class DelegateCheck(Func<CancellationToken, Task<HealthCheckResult>> check) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) => check(cancellationToken);
    }
}
