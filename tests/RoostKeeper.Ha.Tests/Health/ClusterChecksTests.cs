using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Tests.Health;

/// <summary>The API server, deployment, ready-pods and Service-endpoints checks, healthy and failing, on the simulated cluster.</summary>
public sealed class ClusterChecksTests
{
    [Fact]
    public async Task Api_check_is_healthy_when_the_server_answers()
    {
        await using var kit = await HealthTestKit.StartAsync();
        var health = kit.Manager(h => h.AddKubernetesApi());

        var entry = (await health.CheckHealthAsync(CancellationToken.None)).Entries["kubernetes-api"];

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Contains("v1.34", entry.Description);
        Assert.Contains(RoostKeeper.Ha.Health.RoostHealthTags.Ready, entry.Tags);
    }

    [Fact]
    public async Task Api_check_fails_with_the_network_error_when_partitioned()
    {
        await using var kit = await HealthTestKit.StartAsync();
        var health = kit.Manager(h => h.AddKubernetesApi());
        kit.Cluster.Faults.Partition("health");

        var entry = (await health.CheckHealthAsync(CancellationToken.None)).Entries["kubernetes-api"];

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.NotNull(entry.Exception);
        Assert.StartsWith("The API server cannot be reached", entry.Description);
    }

    [Fact]
    public async Task Api_check_times_out_on_a_blackholed_server_and_reports_the_failure_status_given()
    {
        await using var kit = await HealthTestKit.StartAsync();
        var health = kit.Manager(h => h.AddKubernetesApi(timeout: TimeSpan.FromMilliseconds(300), failureStatus: HealthStatus.Degraded));
        kit.Cluster.Faults.Partition("health", PartitionMode.Blackhole);

        var entry = (await health.CheckHealthAsync(CancellationToken.None)).Entries["kubernetes-api"];

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.IsType<TimeoutException>(entry.Exception);
    }

    [Fact]
    public async Task Deployment_check_is_healthy_when_every_replica_is_available()
    {
        await using var kit = await HealthTestKit.StartAsync();
        await kit.CreateDeploymentAsync("roost-keeper-controller-manager", "roost:v1", 3);
        var health = kit.Manager(h => h.AddDeploymentReplicas("roost-keeper-controller-manager", minAvailable: 2));

        var entry = await HealthTestKit.CheckUntilAsync(health, "deployment/roost-keeper-controller-manager", e => e.Status == HealthStatus.Healthy);

        Assert.Equal(3, entry.Data["available"]);
        Assert.Equal(3, entry.Data["desired"]);
    }

    [Fact]
    public async Task Deployment_check_fails_when_short_of_the_minimum_available()
    {
        await using var kit = await HealthTestKit.StartAsync();
        kit.Cluster.Images.Set("roost:broken", ImageHealth.NeverReady);
        await kit.CreateDeploymentAsync("roost-keeper-controller-manager", "roost:broken", 3);
        await kit.WaitForPodsAsync("roost-keeper-controller-manager", 3, 0);
        var health = kit.Manager(h => h.AddDeploymentReplicas("roost-keeper-controller-manager", minAvailable: 2));

        var entry = (await health.CheckHealthAsync(CancellationToken.None)).Entries["deployment/roost-keeper-controller-manager"];

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal(0, entry.Data["available"]);
        Assert.Contains("fewer than the minimum of 2", entry.Description);
    }

    [Fact]
    public async Task Deployment_check_fails_when_the_rollout_stopped_progressing()
    {
        await using var kit = await HealthTestKit.StartAsync();
        kit.Cluster.Images.Set("roost:stuck", ImageHealth.NeverReady);
        await kit.Admin.AppsV1.CreateNamespacedDeploymentAsync(
            ControllerTestKit.Deployment("stuck", "roost:stuck", 1, spec => spec.ProgressDeadlineSeconds = 1),
            kit.Namespace);
        var health = kit.Manager(h => h.AddDeploymentReplicas("stuck", minAvailable: 0));

        var entry = await HealthTestKit.CheckUntilAsync(health, "deployment/stuck", e => e.Status == HealthStatus.Unhealthy);

        Assert.Contains("is not progressing (ProgressDeadlineExceeded", entry.Description);
    }

    [Fact]
    public async Task Deployment_check_fails_when_the_deployment_does_not_exist()
    {
        await using var kit = await HealthTestKit.StartAsync();
        var health = kit.Manager(h => h.AddDeploymentReplicas("missing"));

        var entry = (await health.CheckHealthAsync(CancellationToken.None)).Entries["deployment/missing"];

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("does not exist", entry.Description);
    }

    [Fact]
    public async Task Ready_pods_check_is_healthy_when_enough_pods_are_ready()
    {
        await using var kit = await HealthTestKit.StartAsync();
        await kit.CreateDeploymentAsync("roost", "roost:v1", 2);
        await kit.WaitForPodsAsync("roost", 2, 2);
        var health = kit.Manager(h => h.AddReadyPods("app=roost", minReady: 2));

        var entry = (await health.CheckHealthAsync(CancellationToken.None)).Entries["pods/app=roost"];

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal((2, 2), ((int)entry.Data["ready"], (int)entry.Data["total"]));
    }

    [Fact]
    public async Task Ready_pods_check_fails_when_pods_never_become_ready()
    {
        await using var kit = await HealthTestKit.StartAsync();
        kit.Cluster.Images.Set("roost:v2", ImageHealth.NeverReady);
        await kit.CreateDeploymentAsync("roost", "roost:v2", 2);
        await kit.WaitForPodsAsync("roost", 2, 0);
        var health = kit.Manager(h => h.AddReadyPods("app=roost", minReady: 1));

        var entry = (await health.CheckHealthAsync(CancellationToken.None)).Entries["pods/app=roost"];

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal(0, entry.Data["ready"]);
        Assert.Contains("0/2 pods ready", entry.Description);
    }

    [Fact]
    public async Task Ready_pods_check_names_crash_looping_pods()
    {
        await using var kit = await HealthTestKit.StartAsync();
        kit.Cluster.Images.Set("roost:crash", ImageHealth.CrashLooping);
        await kit.CreateDeploymentAsync("roost", "roost:crash", 2);
        var health = kit.Manager(h => h.AddReadyPods("app=roost", minReady: 1));

        var entry = await HealthTestKit.CheckUntilAsync(health, "pods/app=roost", e => e.Data.TryGetValue("crashLooping", out var n) && (int)n == 2);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("2 crash-looping", entry.Description);
    }

    [Fact]
    public async Task Ready_pods_check_is_degraded_when_some_but_enough_pods_are_ready()
    {
        await using var kit = await HealthTestKit.StartAsync();
        kit.Cluster.Images.Set("roost:bad", ImageHealth.NeverReady);
        await kit.CreatePodAsync("roost-a", "roost", "roost:good");
        await kit.CreatePodAsync("roost-b", "roost", "roost:bad");
        await kit.WaitForPodsAsync("roost", 2, 1);
        var health = kit.Manager(h => h.AddReadyPods("app=roost", minReady: 1));

        var entry = (await health.CheckHealthAsync(CancellationToken.None)).Entries["pods/app=roost"];

        Assert.Equal(HealthStatus.Degraded, entry.Status);
    }

    [Fact]
    public async Task Ready_pods_check_requiring_this_pod_fails_when_this_pod_is_not_ready_though_enough_others_are()
    {
        await using var kit = await HealthTestKit.StartAsync();
        kit.Cluster.Images.Set("roost:bad", ImageHealth.NeverReady);
        await kit.CreatePodAsync("roost-a", "roost", "roost:good");
        await kit.CreatePodAsync("roost-b", "roost", "roost:good");
        await kit.CreatePodAsync("roost-c", "roost", "roost:bad");
        await kit.WaitForPodsAsync("roost", 3, 2);
        var mine = kit.Manager(h => h.AddReadyPods("app=roost", minReady: 1, requireThisPod: true), new() { PodName = "roost-c" });
        var theirs = kit.Manager(h => h.AddReadyPods("app=roost", minReady: 1, requireThisPod: true), new() { PodName = "roost-a" });

        var entry = (await mine.CheckHealthAsync(CancellationToken.None)).Entries["pods/app=roost"];
        var other = (await theirs.CheckHealthAsync(CancellationToken.None)).Entries["pods/app=roost"];

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("roost-c is not ready", entry.Description);
        Assert.Equal(HealthStatus.Degraded, other.Status);
    }

    [Fact]
    public async Task Ready_pods_check_requiring_this_pod_without_a_pod_name_reports_how_to_fix_it()
    {
        await using var kit = await HealthTestKit.StartAsync();
        var health = kit.Manager(h => h.AddReadyPods("app=roost", requireThisPod: true));

        var entry = (await health.CheckHealthAsync(CancellationToken.None)).Entries["pods/app=roost"];

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.IsType<InvalidOperationException>(entry.Exception);
        Assert.Contains("POD_NAME", entry.Description);
    }

    [Fact]
    public async Task Service_check_is_healthy_when_the_service_has_ready_endpoints()
    {
        await using var kit = await HealthTestKit.StartAsync();
        await kit.CreateDeploymentAsync("webhook", "roost:v1", 2);
        await kit.CreateServiceAsync("roost-keeper-webhook-service", "webhook");
        var health = kit.Manager(h => h.AddServiceEndpoints("roost-keeper-webhook-service", minReady: 2));

        var entry = await HealthTestKit.CheckUntilAsync(health, "service/roost-keeper-webhook-service", e => e.Status == HealthStatus.Healthy);

        Assert.Equal(2, entry.Data["ready"]);
    }

    [Fact]
    public async Task Service_check_fails_when_the_service_has_no_endpoints()
    {
        await using var kit = await HealthTestKit.StartAsync();
        await kit.CreateServiceAsync("roost-keeper-webhook-service", "nothing-matches");
        var health = kit.Manager(h => h.AddServiceEndpoints("roost-keeper-webhook-service"));

        var entry = (await health.CheckHealthAsync(CancellationToken.None)).Entries["service/roost-keeper-webhook-service"];

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal(0, entry.Data["ready"]);
    }

    [Fact]
    public async Task Service_check_fails_when_the_service_does_not_exist()
    {
        await using var kit = await HealthTestKit.StartAsync();
        var health = kit.Manager(h => h.AddServiceEndpoints("gone"));

        var entry = (await health.CheckHealthAsync(CancellationToken.None)).Entries["service/gone"];

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("does not exist", entry.Description);
    }

    [Fact]
    public async Task Service_check_follows_endpoints_that_stop_being_ready()
    {
        await using var kit = await HealthTestKit.StartAsync();
        await kit.CreateDeploymentAsync("webhook", "roost:v1", 1);
        await kit.CreateServiceAsync("svc", "webhook");
        var health = kit.Manager(h => h.AddServiceEndpoints("svc"));
        await HealthTestKit.CheckUntilAsync(health, "service/svc", e => e.Status == HealthStatus.Healthy);

        kit.Cluster.Images.Set("roost:v1", ImageHealth.NeverReady);
        var entry = await HealthTestKit.CheckUntilAsync(health, "service/svc", e => e.Status != HealthStatus.Healthy);

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal(1, entry.Data["notReady"]);
    }
}
