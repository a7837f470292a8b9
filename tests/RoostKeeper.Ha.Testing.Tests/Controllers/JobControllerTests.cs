using k8s;
using k8s.Autorest;
using k8s.Models;
using RoostKeeper.Ha.Testing.Tests.Clients;
using Xunit.Abstractions;

namespace RoostKeeper.Ha.Testing.Tests.Controllers;

/// <summary>
/// The Job controller (batch/v1) through kubectl and KubernetesClient: pods run by the simulated kubelet's image
/// rules until completions succeed, at most parallelism at a time; a failing image exhausts backoffLimit; the
/// Complete and Failed conditions that <c>kubectl wait</c> reads; defaults and validation.
/// </summary>
public sealed class JobControllerTests : IClassFixture<KubectlCluster>
{
    private readonly KubectlCluster _fixture;
    private readonly Kubectl _kubectl;

    public JobControllerTests(KubectlCluster fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _kubectl = new Kubectl(fixture, output);
    }

    [Fact]
    public async Task A_job_runs_its_completions_at_most_parallelism_at_a_time_and_completes()
    {
        var ns = await _fixture.NewNamespaceAsync("job-complete");
        var manifest = _fixture.WriteFile("job.yaml", Manifests.Job(ns, "batch:ok", "completions: 3\n  parallelism: 2"));
        await _kubectl.RunAsync("apply", "-f", manifest);
        Assert.Contains("job.batch/work condition met", await _kubectl.RunAsync("wait", "--for=condition=complete", "job/work", "-n", ns, "--timeout=60s"));

        // The conditions carry JobCondition's fields only (lastProbeTime, not a Deployment's lastUpdateTime), so
        // re-applying the manifest under kubectl's strict field validation still works.
        Assert.Contains("job.batch/work unchanged", await _kubectl.RunAsync("apply", "-f", manifest));
        var job = await _fixture.Client.BatchV1.ReadNamespacedJobAsync("work", ns);
        Assert.All(job.Status.Conditions, c => Assert.NotNull(c.LastProbeTime));
        Assert.Equal((3, 0, 0), (job.Status.Succeeded ?? 0, job.Status.Active ?? 0, job.Status.Failed ?? 0));
        Assert.NotNull(job.Status.CompletionTime);
        Assert.Contains(job.Status.Conditions, c => c.Type == "SuccessCriteriaMet" && c.Status == "True");
        var pods = (await _fixture.Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "batch.kubernetes.io/job-name=work")).Items;
        Assert.Equal(3, pods.Count);
        Assert.All(pods, p => Assert.Equal("Succeeded", p.Status.Phase));
        var events = (await _fixture.Client.CoreV1.ListNamespacedEventAsync(ns)).Items.Select(e => e.Reason).ToList();
        Assert.Equal(3, events.Count(r => r == "SuccessfulCreate"));
        Assert.Contains("Completed", events);
        Assert.Contains("Complete", await _kubectl.RunAsync("get", "job", "work", "-n", ns));
    }

    [Fact]
    public async Task A_failing_image_exhausts_the_backoff_limit_and_the_job_fails()
    {
        var ns = await _fixture.NewNamespaceAsync("job-fail");
        _fixture.Cluster.Images.Set("batch:broken", ImageHealth.CrashLooping);
        await _kubectl.RunAsync("apply", "-f", _fixture.WriteFile("job.yaml", Manifests.Job(ns, "batch:broken", "backoffLimit: 1")));
        Assert.Contains("condition met", await _kubectl.RunAsync("wait", "--for=condition=failed", "job/work", "-n", ns, "--timeout=60s"));

        var job = await _fixture.Client.BatchV1.ReadNamespacedJobAsync("work", ns);
        Assert.Equal((2, 0), (job.Status.Failed ?? 0, job.Status.Succeeded ?? 0));
        var failed = Assert.Single(job.Status.Conditions, c => c.Type == "Failed");
        Assert.Equal(("True", "BackoffLimitExceeded"), (failed.Status, failed.Reason));
        Assert.All((await _fixture.Client.CoreV1.ListNamespacedPodAsync(ns)).Items, p => Assert.Equal("Failed", p.Status.Phase));
    }

    [Fact]
    public async Task Defaults_and_validation_are_the_api_servers()
    {
        var ns = await _fixture.NewNamespaceAsync("job-admission");
        var job = new V1Job
        {
            Metadata = new V1ObjectMeta { Name = "work" },
            Spec = new V1JobSpec { Template = new V1PodTemplateSpec { Spec = new V1PodSpec { RestartPolicy = "OnFailure", Containers = [new V1Container { Name = "w", Image = "batch:ok" }] } } },
        };
        var created = await _fixture.Client.BatchV1.CreateNamespacedJobAsync(job, ns);
        Assert.Equal((1, 1, 6, "NonIndexed"), (created.Spec.Completions ?? 0, created.Spec.Parallelism ?? 0, created.Spec.BackoffLimit ?? 0, created.Spec.CompletionMode));
        Assert.Equal(created.Metadata.Uid, created.Spec.Selector.MatchLabels["batch.kubernetes.io/controller-uid"]);
        Assert.Equal("work", created.Spec.Template.Metadata.Labels["job-name"]);

        job.Metadata.Name = "always";
        job.Spec.Template.Spec.RestartPolicy = "Always";
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => _fixture.Client.BatchV1.CreateNamespacedJobAsync(job, ns));
        Assert.Equal(System.Net.HttpStatusCode.UnprocessableEntity, e.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(e.Response.Content);
        Assert.Contains("spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\"", status.Message);
    }
}
