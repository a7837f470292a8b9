using k8s;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using RoostKeeper.Ha.Testing;
using static RoostKeeper.Ha.TestUtilities.ControllerTestKit;

namespace RoostKeeper.Ha.Testing.Tests.Controllers;

public sealed class SimulatedKubeletTests
{
    private static V1Pod Pod(string name, params string[] images) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = "kubelet" } },
        Spec = new V1PodSpec { Containers = images.Select((image, i) => new V1Container { Name = $"c{i}", Image = image }).ToList() },
    };

    [SimulatedOnlyFact("simulated kubelet")]
    public async Task New_pod_is_pending_then_runs_ready_with_an_ip_and_container_statuses()
    {
        await using var cluster = await TestCluster.StartAsync(new SimulatedClusterOptions { PodStartupDelay = TimeSpan.FromMilliseconds(500) });
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();

        var created = await client.CoreV1.CreateNamespacedPodAsync(Pod("solo", "roost:v1", "sidecar:v1"), ns);
        Assert.Equal("Pending", created.Status?.Phase);

        var pod = await WaitForAsync(() => client.CoreV1.ReadNamespacedPodAsync("solo", ns), p => p.Status?.Phase == "Running", "the pod to run");
        Assert.True(IsReady(pod));
        Assert.Equal("True", pod.Status.Conditions.Single(c => c.Type == "ContainersReady").Status);
        Assert.StartsWith("10.244.", pod.Status.PodIP);
        Assert.NotNull(pod.Status.StartTime);
        Assert.Equal(["c0", "c1"], pod.Status.ContainerStatuses.Select(c => c.Name).Order());
        Assert.All(pod.Status.ContainerStatuses, c => Assert.True(c.Ready && c.State.Running is not null));
    }

    [SimulatedOnlyFact("simulated kubelet")]
    public async Task Image_rule_changes_reach_pods_that_already_run()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("solo", "roost:v1", "sidecar:v1"), ns);
        await WaitForAsync(() => client.CoreV1.ReadNamespacedPodAsync("solo", ns), IsReady, "the pod to be ready");

        cluster.Simulation.Images.Set("sidecar:v1", ImageHealth.CrashLooping);
        var crashing = await WaitForAsync(
            () => client.CoreV1.ReadNamespacedPodAsync("solo", ns),
            p => p.Status.ContainerStatuses.Single(c => c.Name == "c1").RestartCount >= 2,
            "the sidecar to crash loop");
        Assert.False(IsReady(crashing));
        Assert.Equal("CrashLoopBackOff", crashing.Status.ContainerStatuses.Single(c => c.Name == "c1").State.Waiting.Reason);
        Assert.True(crashing.Status.ContainerStatuses.Single(c => c.Name == "c0").Ready);

        cluster.Simulation.Images.Set("sidecar:v1", ImageHealth.Healthy);
        var healed = await WaitForAsync(() => client.CoreV1.ReadNamespacedPodAsync("solo", ns), IsReady, "the pod to be ready again");
        Assert.Equal(crashing.Status.PodIP, healed.Status.PodIP);
    }

    [SimulatedOnlyFact("simulated kubelet")]
    public async Task Pod_startup_waits_for_the_cluster_clock()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var cluster = await TestCluster.StartAsync(new SimulatedClusterOptions { TimeProvider = clock, PodStartupDelay = TimeSpan.FromMinutes(1) });
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await client.CoreV1.CreateNamespacedPodAsync(Pod("solo", "roost:v1"), ns);

        // PodScheduled shows the kubelet has seen the pod; with the clock standing still it must stay Pending.
        var seen = await WaitForAsync(
            () => client.CoreV1.ReadNamespacedPodAsync("solo", ns),
            p => p.Status?.Conditions?.Any(c => c.Type == "PodScheduled") == true,
            "the kubelet to see the pod");
        Assert.Equal("Pending", seen.Status.Phase);
        Assert.Null(seen.Status.PodIP);

        clock.Advance(TimeSpan.FromMinutes(1));
        var running = await WaitForAsync(() => client.CoreV1.ReadNamespacedPodAsync("solo", ns), IsReady, "the pod to start once the clock moves");
        Assert.Equal("Running", running.Status.Phase);
    }
}
