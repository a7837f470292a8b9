using k8s;
using k8s.Models;
using RoostKeeper.Ha.RollingUpdates;
using RoostKeeper.Ha.Testing;
using static RoostKeeper.Ha.TestUtilities.ControllerTestKit;

namespace RoostKeeper.Ha.Tests.RollingUpdates;

public sealed class RollingUpdateManagerTests
{
    [SimulatedOnlyFact("simulated Deployment controller and kubelet")]
    public async Task Good_image_completes_without_availability_ever_dropping_below_replicas_minus_max_unavailable()
    {
        await using var h = await RolloutHarness.StartAsync(replicas: 4);
        var before = await h.Client.CoreV1.ListNamespacedPodAsync(h.Namespace, labelSelector: "app=roost");
        var minReady = int.MaxValue;
        var samples = 0;
        using var stop = new CancellationTokenSource(Patience);
        var observing = ReplayPodsAsync(h.Client, h.Namespace, "roost", before, pods =>
        {
            samples++;
            minReady = Math.Min(minReady, pods.Values.Count(p => IsReady(p) && p.Metadata.DeletionTimestamp is null));
            return pods.Count == 4 && pods.Values.All(p => Image(p) == "roost:v2" && IsReady(p));
        }, stop.Token);
        var reports = new List<RollingUpdateStatus>();

        var status = await h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:v2", RolloutHarness.Fast(), new SynchronousProgress<RollingUpdateStatus>(reports.Add));
        await observing;

        Assert.Equal(RollingUpdatePhase.Succeeded, status.Phase);
        Assert.Equal(RollingUpdateFailureKind.None, status.Failure);
        Assert.Equal((1L, 2L), (status.PreviousRevision, status.Revision));
        Assert.Equal((4, 4, 4, 4), (status.DesiredReplicas, status.UpdatedReplicas, status.AvailableReplicas, status.ReadyReplicas));
        Assert.Equal(1.0, status.Progress);
        Assert.NotNull(status.FinishedAt);
        Assert.True(samples > 4, "the pod replay saw too few changes to judge availability");
        Assert.True(minReady >= 3, $"availability dropped to {minReady} ready pods; maxUnavailable 1 of 4 allows no fewer than 3");
        Assert.Contains(status.Timeline, e => e.Phase == RollingUpdatePhase.Updating);
        Assert.Equal(RollingUpdatePhase.Succeeded, status.Timeline[^1].Phase);
        Assert.Contains(reports, r => r.Phase == RollingUpdatePhase.Updating && r.Progress is > 0 and < 1);
        Assert.Equal(RollingUpdatePhase.Succeeded, reports[^1].Phase);
        var deployment = await h.DeploymentAsync();
        Assert.Equal(("1", "1"), (deployment.Spec.Strategy.RollingUpdate.MaxSurge.Value, deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value));
        Assert.Empty((await h.Client.CoordinationV1.ListNamespacedLeaseAsync(h.Namespace)).Items); // the update lock was released
        Assert.Equal(status, h.Manager.GetUpdateStatus(status.Id));
        Assert.Equal(status.Id, Assert.Single(h.Manager.ListUpdates()).Id);
    }

    [SimulatedOnlyFact("simulated kubelet image rules")]
    public async Task Crash_looping_image_is_detected_and_rolled_back_to_the_previous_template_with_every_replica_available()
    {
        await using var h = await RolloutHarness.StartAsync(replicas: 3);
        h.Simulation.Images.Set("roost:crash", ImageHealth.CrashLooping);
        var original = Assert.Single(await h.ReplicaSetsAsync());

        var status = await h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:crash", RolloutHarness.Fast());

        Assert.Equal(RollingUpdatePhase.RolledBack, status.Phase);
        Assert.Equal(RollingUpdateFailureKind.CrashLoop, status.Failure);
        Assert.Contains("crash-looping", status.Timeline.First(e => e.Phase == RollingUpdatePhase.RollingBack).Message);
        var deployment = await h.DeploymentAsync();
        Assert.Equal("roost:v1", deployment.Spec.Template.Spec.Containers[0].Image);
        Assert.False(deployment.Spec.Template.Metadata.Labels.ContainsKey("pod-template-hash"), "rollback copied the pod-template-hash label into the Deployment");
        Assert.Equal((3, 3, 3), (deployment.Status.AvailableReplicas, deployment.Status.UpdatedReplicas, deployment.Status.Replicas));
        var current = RolloutStatusEvaluator.FindNewReplicaSet(deployment, await h.ReplicaSetsAsync());
        Assert.Equal(original.Metadata.Uid, current?.Metadata.Uid);
        await h.WaitForPodsAsync("roost:v1", 3);
    }

    [SimulatedOnlyFact("simulated kubelet image rules")]
    public async Task Never_ready_image_is_rolled_back_after_the_readiness_timeout_not_the_progress_deadline()
    {
        await using var h = await RolloutHarness.StartAsync(replicas: 3);
        h.Simulation.Images.Set("roost:hang", ImageHealth.NeverReady);

        var status = await h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:hang", RolloutHarness.Fast(o => o.ReadinessTimeout = TimeSpan.FromSeconds(1)));

        Assert.Equal(RollingUpdatePhase.RolledBack, status.Phase);
        Assert.Equal(RollingUpdateFailureKind.NeverReady, status.Failure);
        Assert.Equal(600, (await h.DeploymentAsync()).Spec.ProgressDeadlineSeconds);
        await h.WaitForPodsAsync("roost:v1", 3);
    }

    [SimulatedOnlyFact("simulated Deployment controller")]
    public async Task Failing_verification_rolls_back_a_rollout_that_completed()
    {
        await using var h = await RolloutHarness.StartAsync(replicas: 2);
        var verifiedPods = 0;

        var status = await h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:v2", RolloutHarness.Fast(o => o.Verify = (context, _) =>
        {
            verifiedPods = context.Pods.Count;
            Assert.Equal(VerificationStage.Complete, context.Stage);
            Assert.All(context.Pods, p => Assert.Equal("roost:v2", Image(p)));
            return Task.FromResult(false);
        }));

        Assert.Equal(2, verifiedPods);
        Assert.Equal(RollingUpdatePhase.RolledBack, status.Phase);
        Assert.Equal(RollingUpdateFailureKind.VerificationFailed, status.Failure);
        Assert.Contains(status.Timeline, e => e.Phase == RollingUpdatePhase.Verifying);
        await h.WaitForPodsAsync("roost:v1", 2);
    }

    [SimulatedOnlyFact("simulated Deployment controller")]
    public async Task Verification_that_throws_counts_as_failed_and_rolls_back()
    {
        await using var h = await RolloutHarness.StartAsync(replicas: 2);

        var status = await h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:v2",
            RolloutHarness.Fast(o => o.Verify = (_, _) => throw new HttpRequestException("connection refused")));

        Assert.Equal((RollingUpdatePhase.RolledBack, RollingUpdateFailureKind.VerificationFailed), (status.Phase, status.Failure));
        Assert.Contains("connection refused", status.Message + string.Join(" ", status.Timeline.Select(e => e.Message)));
    }

    [SimulatedOnlyFact("simulated kubelet image rules")]
    public async Task Rollback_restores_the_config_map_and_secret_the_pod_template_references()
    {
        await using var h = await RolloutHarness.StartAsync(replicas: 2, spec =>
        {
            var container = spec.Template.Spec.Containers[0];
            container.EnvFrom = [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "roost-config" } }];
            spec.Template.Spec.Volumes = [new V1Volume { Name = "creds", Secret = new V1SecretVolumeSource { SecretName = "roost-creds" } }];
        });
        await h.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "roost-config" }, Data = new Dictionary<string, string> { ["mode"] = "stable" } }, h.Namespace);
        await h.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "roost-creds" }, Data = new Dictionary<string, byte[]> { ["token"] = "old"u8.ToArray() } }, h.Namespace);
        h.Simulation.Images.Set("roost:crash", ImageHealth.CrashLooping);

        var status = await h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:crash", RolloutHarness.Fast(o => o.BeforeUpdate = async (k, ct) =>
        {
            await k.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"data\":{\"mode\":\"broken\",\"extra\":\"x\"}}", V1Patch.PatchType.MergePatch), "roost-config", h.Namespace, cancellationToken: ct);
            await k.CoreV1.DeleteNamespacedSecretAsync("roost-creds", h.Namespace, cancellationToken: ct);
        }));

        Assert.Equal(RollingUpdatePhase.RolledBack, status.Phase);
        var config = await h.Client.CoreV1.ReadNamespacedConfigMapAsync("roost-config", h.Namespace);
        Assert.Equal(new Dictionary<string, string> { ["mode"] = "stable" }, config.Data);
        var secret = await h.Client.CoreV1.ReadNamespacedSecretAsync("roost-creds", h.Namespace);
        Assert.Equal("old"u8.ToArray(), secret.Data["token"]);
        Assert.Contains(status.Timeline, e => e.Message.Contains("ConfigMap roost-config", StringComparison.Ordinal) && e.Message.Contains("Secret roost-creds", StringComparison.Ordinal));
    }

    [SimulatedOnlyFact("simulated Deployment controller")]
    public async Task History_shows_each_revision_with_its_change_cause_as_kubectl_rollout_history_would()
    {
        await using var h = await RolloutHarness.StartAsync(replicas: 2);
        h.Simulation.Images.Set("roost:crash", ImageHealth.CrashLooping);

        var good = await h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:v2", RolloutHarness.Fast(o => o.ChangeCause = "release 2"));
        var bad = await h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:crash", RolloutHarness.Fast());

        Assert.Equal((RollingUpdatePhase.Succeeded, RollingUpdatePhase.RolledBack), (good.Phase, bad.Phase));
        Assert.Equal((2L, 3L), (bad.PreviousRevision, bad.Revision));
        // kubectl rollout history: revision 1 (v1, no cause), 3 (the failed update), 4 (the rollback reusing v2's ReplicaSet).
        var history = await h.HistoryAsync();
        Assert.Equal(
            [(1L, null, "roost:v1"), (3L, "RoostKeeper.Ha: set image roost=roost:crash", "roost:crash"), (4L, "release 2", "roost:v2")],
            history);
        var deployment = await h.DeploymentAsync();
        Assert.Equal("4", deployment.Metadata.Annotations[RevisionAnnotation]);
        Assert.Equal("release 2", deployment.Metadata.Annotations[RollingUpdateManager.ChangeCauseAnnotation]);
    }

    [SimulatedOnlyFact("simulated Deployment controller")]
    public async Task Canary_that_passes_holds_after_the_first_new_pod_then_completes()
    {
        // Pods take 3 s to start here, so the manager's pause (issued once the new ReplicaSet exists) lands before the
        // canary pod is ready, as it does on a real cluster where pulling and starting a container takes seconds.
        await using var h = await RolloutHarness.StartAsync(replicas: 3, podStartupDelay: TimeSpan.FromSeconds(3));
        var atCanary = (Paused: false, NewPods: 0, OldPods: 0);

        var status = await h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:v2", RolloutHarness.Fast(o =>
        {
            o.Canary = true;
            o.Verify = async (context, ct) =>
            {
                if (context.Stage == VerificationStage.Canary)
                {
                    var pods = await h.PodsAsync();
                    atCanary = ((await h.DeploymentAsync()).Spec.Paused == true, pods.Count(p => Image(p) == "roost:v2"), pods.Count(p => Image(p) == "roost:v1" && IsReady(p)));
                }

                return true;
            };
        }));

        Assert.Equal(RollingUpdatePhase.Succeeded, status.Phase);
        Assert.True(atCanary.Paused, "the Deployment was not paused during the canary verification");
        Assert.Equal(1, atCanary.NewPods);
        Assert.Equal(3, atCanary.OldPods);
        Assert.Contains(status.Timeline, e => e.Phase == RollingUpdatePhase.Canary);
        var deployment = await h.DeploymentAsync();
        Assert.NotEqual(true, deployment.Spec.Paused);
        await h.WaitForPodsAsync("roost:v2", 3);
    }

    [SimulatedOnlyFact("simulated Deployment controller")]
    public async Task Canary_that_fails_rolls_back_without_ever_taking_an_old_pod_down()
    {
        await using var h = await RolloutHarness.StartAsync(replicas: 3);
        var stages = new List<VerificationStage>();

        var status = await h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:v2", RolloutHarness.Fast(o =>
        {
            o.Canary = true;
            o.Verify = (context, _) =>
            {
                stages.Add(context.Stage);
                return Task.FromResult(false);
            };
        }));

        Assert.Equal([VerificationStage.Canary], stages);
        Assert.Equal((RollingUpdatePhase.RolledBack, RollingUpdateFailureKind.VerificationFailed), (status.Phase, status.Failure));
        var deployment = await h.DeploymentAsync();
        Assert.NotEqual(true, deployment.Spec.Paused);
        await h.WaitForPodsAsync("roost:v1", 3);
    }

    [SimulatedOnlyFact("simulated kubelet image rules")]
    public async Task Crash_looping_canary_is_rolled_back_by_default_without_waiting_for_verification()
    {
        // Argo Rollouts and Flagger leave a crash-looping canary for the analysis (or a human) to judge; here it is a failure.
        await using var h = await RolloutHarness.StartAsync(replicas: 3);
        h.Simulation.Images.Set("roost:crash", ImageHealth.CrashLooping);
        var verified = false;

        var status = await h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:crash", RolloutHarness.Fast(o =>
        {
            o.Canary = true;
            o.Verify = (_, _) => Task.FromResult(verified = true);
        }));

        Assert.False(verified, "a canary that never became ready was verified");
        Assert.Equal((RollingUpdatePhase.RolledBack, RollingUpdateFailureKind.CrashLoop), (status.Phase, status.Failure));
        Assert.NotEqual(true, (await h.DeploymentAsync()).Spec.Paused);
        await h.WaitForPodsAsync("roost:v1", 3);
    }
}
