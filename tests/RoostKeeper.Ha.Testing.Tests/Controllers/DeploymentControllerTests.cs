using k8s;
using k8s.Autorest;
using k8s.Models;
using RoostKeeper.Ha.Testing;
using static RoostKeeper.Ha.TestUtilities.ControllerTestKit;

namespace RoostKeeper.Ha.Testing.Tests.Controllers;

public sealed class DeploymentControllerTests
{
    [SimulatedOnlyFact("simulated Deployment controller")]
    public async Task Deployment_creates_a_replica_set_with_ready_pods_and_becomes_available()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();

        var created = await client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("roost", "roost:v1", 3), ns);
        Assert.Equal("RollingUpdate", created.Spec.Strategy.Type);
        Assert.Equal("25%", created.Spec.Strategy.RollingUpdate.MaxSurge.Value);
        Assert.Equal(10, created.Spec.RevisionHistoryLimit);
        Assert.Equal(600, created.Spec.ProgressDeadlineSeconds);

        var deployment = await WaitForRolloutAsync(client, ns, "roost");
        Assert.Equal(3, deployment.Status.ReadyReplicas);
        Assert.Equal("True", Condition(deployment, "Available")?.Status);
        Assert.Equal("MinimumReplicasAvailable", Condition(deployment, "Available")?.Reason);
        Assert.Equal("1", deployment.Metadata.Annotations[RevisionAnnotation]);

        var rs = Assert.Single(await ReplicaSetsAsync(client, ns, "roost"));
        var hash = rs.Metadata.Labels["pod-template-hash"];
        Assert.Equal($"roost-{hash}", rs.Metadata.Name);
        Assert.Equal(hash, rs.Spec.Selector.MatchLabels["pod-template-hash"]);
        Assert.Equal("1", rs.Metadata.Annotations[RevisionAnnotation]);
        var owner = Assert.Single(rs.Metadata.OwnerReferences);
        Assert.Equal((deployment.Metadata.Uid, true), (owner.Uid, owner.Controller == true));

        var pods = await PodsAsync(client, ns, "roost");
        Assert.Equal(3, pods.Count);
        Assert.All(pods, p =>
        {
            Assert.True(IsReady(p));
            Assert.Equal("Running", p.Status.Phase);
            Assert.StartsWith($"{rs.Metadata.Name}-", p.Metadata.Name);
            Assert.Equal(rs.Metadata.Uid, p.Metadata.OwnerReferences.Single(r => r.Controller == true).Uid);
            Assert.Equal(hash, p.Metadata.Labels["pod-template-hash"]);
        });
        Assert.Equal(3, pods.Select(p => p.Status.PodIP).Distinct().Count());
    }

    [SimulatedOnlyFact("simulated Deployment controller")]
    public async Task Image_update_rolls_out_a_new_replica_set_as_revision_2_and_scales_the_old_one_to_zero()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("roost", "roost:v1", 3), ns);
        var first = await WaitForRolloutAsync(client, ns, "roost");

        await SetImageAsync(client, ns, "roost", "roost:v2");
        var deployment = await WaitForRolloutAsync(client, ns, "roost");

        Assert.True(deployment.Metadata.Generation > first.Metadata.Generation);
        Assert.Equal("2", deployment.Metadata.Annotations[RevisionAnnotation]);
        var replicaSets = await ReplicaSetsAsync(client, ns, "roost");
        Assert.Equal(2, replicaSets.Count);
        var current = replicaSets.Single(rs => rs.Spec.Template.Spec.Containers[0].Image == "roost:v2");
        var previous = replicaSets.Single(rs => rs.Spec.Template.Spec.Containers[0].Image == "roost:v1");
        Assert.Equal(("2", 3), (current.Metadata.Annotations[RevisionAnnotation], current.Spec.Replicas));
        Assert.Equal(("1", 0), (previous.Metadata.Annotations[RevisionAnnotation], previous.Spec.Replicas));
        var pods = await WaitForAsync(() => PodsAsync(client, ns, "roost"), p => p.Count == 3, "old pods to go");
        Assert.All(pods, p => Assert.Equal("roost:v2", Image(p)));
    }

    [SimulatedOnlyFact("simulated Deployment controller")]
    public async Task Rolling_update_never_exceeds_max_surge_or_max_unavailable()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await client.AppsV1.CreateNamespacedDeploymentAsync(
            Deployment("roost", "roost:v1", 4, s => s.Strategy = new V1DeploymentStrategy
            {
                Type = "RollingUpdate",
                RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = 1, MaxUnavailable = 1 },
            }),
            ns);
        await WaitForRolloutAsync(client, ns, "roost");
        var before = await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "app=roost");
        // Replays every pod change in resourceVersion order, so the counts hold at every point of the rollout.
        var maxTotal = before.Items.Count;
        var minReady = before.Items.Count(IsReady);
        using var stop = new CancellationTokenSource(Patience);
        var observing = ReplayPodsAsync(client, ns, "roost", before, pods =>
        {
            maxTotal = Math.Max(maxTotal, pods.Count);
            minReady = Math.Min(minReady, pods.Values.Count(IsReady));
            return pods.Count == 4 && pods.Values.All(p => Image(p) == "roost:v2" && IsReady(p));
        }, stop.Token);

        await SetImageAsync(client, ns, "roost", "roost:v2");
        await observing;
        await WaitForRolloutAsync(client, ns, "roost");

        Assert.True(maxTotal <= 5, $"the rollout ran {maxTotal} pods at once; maxSurge 1 allows 5");
        Assert.True(minReady >= 3, $"the rollout dropped to {minReady} ready pods; maxUnavailable 1 requires 3");
        Assert.True(maxTotal > 4 || minReady < 4, "the rollout never used its surge or unavailability budget");
    }

    [SimulatedOnlyFact("simulated Deployment controller")]
    public async Task Recreate_strategy_stops_every_old_pod_before_starting_new_ones()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await client.AppsV1.CreateNamespacedDeploymentAsync(
            Deployment("roost", "roost:v1", 2, s => s.Strategy = new V1DeploymentStrategy { Type = "Recreate" }), ns);
        await WaitForRolloutAsync(client, ns, "roost");
        var before = await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "app=roost");
        var mixed = false;
        using var stop = new CancellationTokenSource(Patience);
        var observing = ReplayPodsAsync(client, ns, "roost", before, pods =>
        {
            mixed |= pods.Values.Select(Image).Distinct().Count() > 1;
            return pods.Count == 2 && pods.Values.All(p => Image(p) == "roost:v2" && IsReady(p));
        }, stop.Token);

        await SetImageAsync(client, ns, "roost", "roost:v2");
        await observing;

        Assert.False(mixed, "old and new pods ran at the same time");
        var deployment = await WaitForRolloutAsync(client, ns, "roost");
        Assert.Equal("2", deployment.Metadata.Annotations[RevisionAnnotation]);
    }

    [SimulatedOnlyFact("simulated Deployment controller")]
    public async Task Rollback_to_the_previous_template_reuses_its_replica_set_as_revision_3()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("roost", "roost:v1", 2), ns);
        await WaitForRolloutAsync(client, ns, "roost");
        var original = Assert.Single(await ReplicaSetsAsync(client, ns, "roost"));
        await SetImageAsync(client, ns, "roost", "roost:v2");
        await WaitForRolloutAsync(client, ns, "roost");

        // What `kubectl rollout undo` does: copy the old ReplicaSet's template minus its hash label.
        var template = original.Spec.Template;
        template.Metadata.Labels.Remove("pod-template-hash");
        var patch = KubernetesJson.Serialize(new { spec = new { template } });
        await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), "roost", ns);
        var deployment = await WaitForAsync(
            () => WaitForRolloutAsync(client, ns, "roost"),
            d => d.Metadata.Annotations[RevisionAnnotation] == "3",
            "the rollback to become revision 3");

        var replicaSets = await ReplicaSetsAsync(client, ns, "roost");
        Assert.Equal(2, replicaSets.Count);
        var reused = replicaSets.Single(rs => rs.Metadata.Uid == original.Metadata.Uid);
        Assert.Equal(("3", 2), (reused.Metadata.Annotations[RevisionAnnotation], reused.Spec.Replicas));
        Assert.Equal(0, replicaSets.Single(rs => rs.Metadata.Uid != original.Metadata.Uid).Spec.Replicas);
        Assert.Equal(2, deployment.Status.AvailableReplicas);
        var pods = await WaitForAsync(() => PodsAsync(client, ns, "roost"), p => p.Count == 2, "v2 pods to go");
        Assert.All(pods, p => Assert.Equal("roost:v1", Image(p)));
    }

    [SimulatedOnlyFact("simulated Deployment controller")]
    public async Task Crash_looping_image_backs_off_and_exceeds_the_progress_deadline()
    {
        await using var cluster = await TestCluster.StartAsync();
        cluster.Simulation.Images.Set("roost:broken", ImageHealth.CrashLooping);
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await client.AppsV1.CreateNamespacedDeploymentAsync(
            Deployment("roost", "roost:broken", 2, s => s.ProgressDeadlineSeconds = 2), ns);

        var pods = await WaitForAsync(
            () => PodsAsync(client, ns, "roost"),
            p => p.Count == 2 && p.All(pod => pod.Status.ContainerStatuses?.SingleOrDefault() is { RestartCount: >= 2 }),
            "pods to restart repeatedly");
        Assert.All(pods, p =>
        {
            Assert.False(IsReady(p));
            Assert.Equal("CrashLoopBackOff", p.Status.ContainerStatuses[0].State.Waiting?.Reason);
        });

        var deployment = await WaitForAsync(
            () => client.AppsV1.ReadNamespacedDeploymentAsync("roost", ns),
            d => Condition(d, "Progressing")?.Reason == "ProgressDeadlineExceeded",
            "the progress deadline to pass");
        var progressing = Condition(deployment, "Progressing")!;
        Assert.Equal("False", progressing.Status);
        Assert.NotNull(progressing.LastUpdateTime);
        Assert.NotNull(progressing.LastTransitionTime);
        Assert.Equal(("False", "MinimumReplicasUnavailable"), (Condition(deployment, "Available")?.Status, Condition(deployment, "Available")?.Reason));
        Assert.Equal(2, deployment.Status.UnavailableReplicas);
        Assert.Equal(0, deployment.Status.AvailableReplicas ?? 0);
    }

    [SimulatedOnlyFact("simulated Deployment controller")]
    public async Task Never_ready_image_keeps_ready_replicas_below_desired()
    {
        await using var cluster = await TestCluster.StartAsync();
        cluster.Simulation.Images.Set("roost:deaf", ImageHealth.NeverReady);
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("roost", "roost:deaf", 2), ns);

        // Once both pods run, the kubelet has judged their readiness: they must stay unready.
        await WaitForAsync(
            () => PodsAsync(client, ns, "roost"),
            p => p.Count == 2 && p.All(pod => pod.Status.Phase == "Running"),
            "pods to run");
        var deployment = await WaitForAsync(
            () => client.AppsV1.ReadNamespacedDeploymentAsync("roost", ns),
            d => d.Status?.Replicas == 2 && d.Status.UpdatedReplicas == 2,
            "the deployment to count its pods");

        Assert.Equal(0, deployment.Status.ReadyReplicas ?? 0);
        Assert.Equal("False", Condition(deployment, "Available")?.Status);
        Assert.All(await PodsAsync(client, ns, "roost"), p =>
        {
            Assert.False(IsReady(p));
            Assert.NotNull(p.Status.ContainerStatuses[0].State.Running);
        });

        cluster.Simulation.Images.Set("roost:deaf", ImageHealth.Healthy);
        var recovered = await WaitForRolloutAsync(client, ns, "roost");
        Assert.Equal(2, recovered.Status.ReadyReplicas);
    }

    [SimulatedOnlyFact("simulated Deployment controller")]
    public async Task Paused_deployment_does_not_roll_out_until_resumed()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("roost", "roost:v1", 2), ns);
        await WaitForRolloutAsync(client, ns, "roost");

        await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"spec":{"paused":true}}""", V1Patch.PatchType.MergePatch), "roost", ns);
        await SetImageAsync(client, ns, "roost", "roost:v2");
        var paused = await WaitForAsync(
            () => client.AppsV1.ReadNamespacedDeploymentAsync("roost", ns),
            d => d.Status?.ObservedGeneration >= d.Metadata.Generation,
            "the controller to observe the paused deployment");
        Assert.Equal("DeploymentPaused", Condition(paused, "Progressing")?.Reason);
        Assert.Single(await ReplicaSetsAsync(client, ns, "roost"));

        // Scaling still works while paused, on the template that runs.
        await ScaleAsync(client, ns, "roost", 3);
        var scaled = await WaitForAsync(() => PodsAsync(client, ns, "roost"), p => p.Count == 3 && p.All(IsReady), "three ready pods while paused");
        Assert.All(scaled, p => Assert.Equal("roost:v1", Image(p)));
        Assert.Single(await ReplicaSetsAsync(client, ns, "roost"));

        await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"spec":{"paused":false}}""", V1Patch.PatchType.MergePatch), "roost", ns);
        var resumed = await WaitForRolloutAsync(client, ns, "roost");
        Assert.Equal("2", resumed.Metadata.Annotations[RevisionAnnotation]);
        Assert.All(await WaitForAsync(() => PodsAsync(client, ns, "roost"), p => p.Count == 3, "old pods to go"), p => Assert.Equal("roost:v2", Image(p)));
    }

    [SimulatedOnlyFact("simulated Deployment controller")]
    public async Task Old_replica_sets_beyond_the_revision_history_limit_are_deleted()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("roost", "roost:v1", 1, s => s.RevisionHistoryLimit = 1), ns);
        await WaitForRolloutAsync(client, ns, "roost");
        foreach (var image in new[] { "roost:v2", "roost:v3" })
        {
            await SetImageAsync(client, ns, "roost", image);
            await WaitForRolloutAsync(client, ns, "roost");
        }

        var replicaSets = await WaitForAsync(() => ReplicaSetsAsync(client, ns, "roost"), r => r.Count == 2, "history to be trimmed to one old ReplicaSet");
        Assert.Equal(["roost:v2", "roost:v3"], replicaSets.Select(rs => rs.Spec.Template.Spec.Containers[0].Image).Order());
    }

    [SimulatedOnlyFact("simulated Deployment controller")]
    public async Task Zero_max_surge_and_zero_max_unavailable_is_rejected()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => client.AppsV1.CreateNamespacedDeploymentAsync(
            Deployment("roost", "roost:v1", 2, s => s.Strategy = new V1DeploymentStrategy
            {
                Type = "RollingUpdate",
                RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = 0, MaxUnavailable = "0%" },
            }),
            ns));
        Assert.Equal(422, (int)error.Response.StatusCode);
    }

    [SimulatedOnlyFact("simulated Deployment controller")]
    public async Task Deleting_a_deployment_garbage_collects_its_replica_sets_and_pods()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("roost", "roost:v1", 3), ns);
        await WaitForRolloutAsync(client, ns, "roost");
        Assert.Equal(3, (await PodsAsync(client, ns, "roost")).Count);

        await client.AppsV1.DeleteNamespacedDeploymentAsync("roost", ns);

        await WaitForAsync(() => ReplicaSetsAsync(client, ns, "roost"), r => r.Count == 0, "ReplicaSets to be collected");
        await WaitForAsync(() => PodsAsync(client, ns, "roost"), p => p.Count == 0, "pods to be collected");
    }

    [SimulatedOnlyFact("simulated Deployment controller")]
    public async Task Scaling_a_deployment_mid_rollout_scales_its_replica_sets_proportionally()
    {
        await using var cluster = await TestCluster.StartAsync();
        cluster.Simulation.Images.Set("roost:broken", ImageHealth.CrashLooping);
        var client = cluster.CreateClient();
        var ns = await cluster.CreateNamespaceAsync();
        await client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("roost", "roost:v1", 4), ns);
        await WaitForRolloutAsync(client, ns, "roost");

        // With 4 replicas, 25% surge (1) and 25% unavailable (1), a broken image stalls at 3 old + 2 new.
        await SetImageAsync(client, ns, "roost", "roost:broken");
        await WaitForAsync(
            async () => (await ReplicaSetsAsync(client, ns, "roost")).Select(rs => (rs.Spec.Template.Spec.Containers[0].Image, rs.Spec.Replicas ?? 0)).Order().ToList(),
            sizes => sizes.SequenceEqual([("roost:broken", 2), ("roost:v1", 3)]),
            "the rollout to stall");

        // Scaling to 8 allows 10 (surge 2): the 5 extra go 3 to the old and 2 to the new ReplicaSet.
        await ScaleAsync(client, ns, "roost", 8);
        await WaitForAsync(
            async () => (await ReplicaSetsAsync(client, ns, "roost")).Select(rs => (rs.Spec.Template.Spec.Containers[0].Image, rs.Spec.Replicas ?? 0)).Order().ToList(),
            sizes => sizes.SequenceEqual([("roost:broken", 4), ("roost:v1", 6)]),
            "proportional scaling to 6 old and 4 new");
        await WaitForAsync(() => PodsAsync(client, ns, "roost"), p => p.Count(IsReady) == 6, "six ready old pods");
    }
}
