using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace RoostKeeper.Ha.Testing.Tests.Controllers;

/// <summary>
/// The CronJob controller on the cluster's clock (a <see cref="FakeTimeProvider"/> advanced by the test): Jobs named
/// <c>NAME-&lt;minutes&gt;</c> at each scheduled time, the concurrency policies, history limits, status, and schedule
/// validation, through KubernetesClient.
/// </summary>
public sealed class CronJobControllerTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 1, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private SimulatedCluster _cluster = null!;
    private IKubernetes _client = null!;
    private string _ns = null!;

    public async Task InitializeAsync()
    {
        _cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { TimeProvider = _time, PodStartupDelay = TimeSpan.Zero });
        _client = _cluster.CreateClient("test");
        _ns = "cron";
        await _client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = _ns } });
    }

    public async Task DisposeAsync()
    {
        Assert.Empty(_cluster.Errors);
        await _cluster.DisposeAsync();
    }

    private static V1CronJob CronJob(string image, string policy = "Allow", int successfulHistory = 3) => new()
    {
        Metadata = new V1ObjectMeta { Name = "nightly" },
        Spec = new V1CronJobSpec
        {
            Schedule = "*/5 * * * *",
            ConcurrencyPolicy = policy,
            SuccessfulJobsHistoryLimit = successfulHistory,
            JobTemplate = new V1JobTemplateSpec
            {
                Spec = new V1JobSpec
                {
                    Template = new V1PodTemplateSpec { Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [new V1Container { Name = "w", Image = image }] } },
                },
            },
        },
    };

    private static string JobName(int hour, int minute) => $"nightly-{new DateTimeOffset(2026, 1, 1, hour, minute, 0, TimeSpan.Zero).ToUnixTimeSeconds() / 60}";

    /// <summary>Moves the clock to <paramref name="to"/>, then waits (nudging the clock a few ms at a time, for the kubelet) until <paramref name="done"/>.</summary>
    private async Task AdvanceUntilAsync(DateTimeOffset to, Func<Task<bool>> done, string what)
    {
        if (_time.GetUtcNow() < to)
        {
            _time.SetUtcNow(to);
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await done())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"timed out waiting for {what}");
            _time.Advance(TimeSpan.FromMilliseconds(60));
            await Task.Delay(20);
        }
    }

    private async Task<List<V1Job>> JobsAsync() => [.. (await _client.BatchV1.ListNamespacedJobAsync(_ns)).Items.OrderBy(j => j.Metadata.Name)];

    private static bool Complete(V1Job job) => job.Status?.Conditions?.Any(c => c.Type == "Complete" && c.Status == "True") == true;

    [Fact]
    public async Task Each_scheduled_time_runs_a_job_and_old_successful_jobs_are_trimmed()
    {
        await _client.BatchV1.CreateNamespacedCronJobAsync(CronJob("batch:ok", successfulHistory: 2), _ns);
        await AdvanceUntilAsync(Start.AddMinutes(4), async () => (await JobsAsync()).Any(Complete), "the 00:05 run to complete");
        var job = Assert.Single(await JobsAsync());
        Assert.Equal(JobName(0, 5), job.Metadata.Name);
        Assert.Equal("2026-01-01T00:05:00Z", job.Metadata.Annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"]);
        Assert.Equal("nightly", Assert.Single(job.Metadata.OwnerReferences).Name);
        await AdvanceUntilAsync(Start, async () => (await _client.BatchV1.ReadNamespacedCronJobAsync("nightly", _ns)).Status?.LastSuccessfulTime is not null, "lastSuccessfulTime");
        var status = (await _client.BatchV1.ReadNamespacedCronJobAsync("nightly", _ns)).Status;
        Assert.Equal(new DateTime(2026, 1, 1, 0, 5, 0, DateTimeKind.Utc), status.LastScheduleTime);
        Assert.Null(status.Active);

        await AdvanceUntilAsync(Start.AddMinutes(9), async () => (await JobsAsync()).Count(Complete) == 2, "the 00:10 run");
        await AdvanceUntilAsync(Start.AddMinutes(14), async () => (await JobsAsync()).Any(j => j.Metadata.Name == JobName(0, 15) && Complete(j)), "the 00:15 run");
        await AdvanceUntilAsync(Start, async () => (await JobsAsync()).Count == 2, "the oldest job to be trimmed");
        Assert.Equal([JobName(0, 10), JobName(0, 15)], (await JobsAsync()).Select(j => j.Metadata.Name));
        var events = (await _client.CoreV1.ListNamespacedEventAsync(_ns)).Items.Where(e => e.InvolvedObject.Kind == "CronJob").Select(e => e.Message).ToList();
        Assert.Contains($"Created job {JobName(0, 5)}", events);
        Assert.Contains($"Deleted job {JobName(0, 5)}", events);
    }

    [Fact]
    public async Task Allow_runs_side_by_side_replace_deletes_the_running_job_and_forbid_waits_for_it()
    {
        _cluster.Images.Set("batch:slow", ImageHealth.NeverReady);
        await _client.BatchV1.CreateNamespacedCronJobAsync(CronJob("batch:slow"), _ns);
        await AdvanceUntilAsync(Start.AddMinutes(4), async () => (await JobsAsync()).Count == 1, "the 00:05 run");
        await AdvanceUntilAsync(Start.AddMinutes(9), async () => (await JobsAsync()).Count == 2, "the 00:10 run beside it (Allow)");
        Assert.Equal(2, (await _client.BatchV1.ReadNamespacedCronJobAsync("nightly", _ns)).Status.Active.Count);

        await _client.BatchV1.PatchNamespacedCronJobAsync(new V1Patch("""{"spec":{"concurrencyPolicy":"Replace"}}""", V1Patch.PatchType.MergePatch), "nightly", _ns);
        await AdvanceUntilAsync(Start.AddMinutes(14), async () => (await JobsAsync()).Select(j => j.Metadata.Name).SequenceEqual([JobName(0, 15)]), "the 00:15 run replacing both");

        await _client.BatchV1.PatchNamespacedCronJobAsync(new V1Patch("""{"spec":{"concurrencyPolicy":"Forbid"}}""", V1Patch.PatchType.MergePatch), "nightly", _ns);
        await AdvanceUntilAsync(Start.AddMinutes(19), async () => (await _client.CoreV1.ListNamespacedEventAsync(_ns)).Items.Any(e => e.Reason == "JobAlreadyActive"), "the 00:20 run to be held back");
        Assert.Equal([JobName(0, 15)], (await JobsAsync()).Select(j => j.Metadata.Name));

        // The running one finishes: the skipped 00:20 run starts then.
        _cluster.Images.Set("batch:slow", ImageHealth.Healthy);
        await AdvanceUntilAsync(Start.AddMinutes(19), async () => (await JobsAsync()).Any(j => j.Metadata.Name == JobName(0, 20)), "the 00:20 run after the 00:15 one finished");
        var first = (await JobsAsync()).Single(j => j.Metadata.Name == JobName(0, 15));
        Assert.True(Complete(first));
    }

    [Fact]
    public async Task A_schedule_that_does_not_parse_is_refused()
    {
        var cronJob = CronJob("batch:ok");
        cronJob.Spec.Schedule = "every day";
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => _client.BatchV1.CreateNamespacedCronJobAsync(cronJob, _ns));
        Assert.Equal(System.Net.HttpStatusCode.UnprocessableEntity, e.Response.StatusCode);
        Assert.Contains("spec.schedule: Invalid value: \"every day\"", KubernetesJson.Deserialize<V1Status>(e.Response.Content).Message);

        cronJob.Spec.Schedule = "@hourly";
        var created = await _client.BatchV1.CreateNamespacedCronJobAsync(cronJob, _ns);
        Assert.Equal(("Allow", false, 1), (created.Spec.ConcurrencyPolicy, created.Spec.Suspend, created.Spec.FailedJobsHistoryLimit));
    }
}
