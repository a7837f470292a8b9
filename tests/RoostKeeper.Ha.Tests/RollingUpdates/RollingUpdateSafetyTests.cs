using System.Net;
using k8s;
using k8s.Models;
using RoostKeeper.Ha.RollingUpdates;
using RoostKeeper.Ha.Testing;
using static RoostKeeper.Ha.TestUtilities.ControllerTestKit;

namespace RoostKeeper.Ha.Tests.RollingUpdates;

/// <summary>Refusals, budgets, concurrency, cancellation and API failures: the update never stops half-way unreported.</summary>
public sealed class RollingUpdateSafetyTests
{
    [SimulatedOnlyFact("simulated Deployment controller and kubelet")]
    public async Task Budget_at_its_limit_lowers_max_unavailable_so_no_guarded_pod_ever_goes_down()
    {
        await using var h = await RolloutHarness.StartAsync(replicas: 3);
        await CreateBudgetAsync(h, minAvailable: 3);
        var own = (await h.DeploymentAsync()).Spec.Strategy?.RollingUpdate;
        var before = await h.Client.CoreV1.ListNamespacedPodAsync(h.Namespace, labelSelector: "app=roost");
        var minReady = int.MaxValue;
        using var stop = new CancellationTokenSource(Patience);
        var observing = ReplayPodsAsync(h.Client, h.Namespace, "roost", before, pods =>
        {
            minReady = Math.Min(minReady, pods.Values.Count(p => IsReady(p) && p.Metadata.DeletionTimestamp is null));
            return pods.Count == 3 && pods.Values.All(p => Image(p) == "roost:v2" && IsReady(p));
        }, stop.Token);

        var validation = await h.Manager.ValidateUpdateAsync(h.Namespace, "roost", new Dictionary<string, string> { ["roost"] = "roost:v2" }, RolloutHarness.Fast());
        var status = await h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:v2", RolloutHarness.Fast());
        await observing;

        Assert.True(validation.IsValid);
        Assert.Equal((0, 1), (validation.MaxUnavailable, validation.MaxSurge));
        Assert.Contains("PodDisruptionBudget roost-pdb", Assert.Single(validation.Warnings), StringComparison.Ordinal);
        Assert.Equal(RollingUpdatePhase.Succeeded, status.Phase);
        Assert.True(minReady >= 3, $"ready pods dropped to {minReady} under a budget of minAvailable 3");
        var strategy = (await h.DeploymentAsync()).Spec.Strategy.RollingUpdate;
        Assert.Equal((own?.MaxSurge?.Value, own?.MaxUnavailable?.Value), (strategy?.MaxSurge?.Value, strategy?.MaxUnavailable?.Value)); // lowered for the update only
    }

    [SimulatedOnlyFact("simulated Deployment controller and kubelet")]
    public async Task The_deployments_own_strategy_comes_back_after_an_update_that_lowered_it_for_a_budget()
    {
        await using var h = await RolloutHarness.StartAsync(replicas: 4, s => s.Strategy = new V1DeploymentStrategy
        {
            Type = "RollingUpdate",
            RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = "25%", MaxUnavailable = "50%" },
        });
        await CreateBudgetAsync(h, minAvailable: 3);

        var status = await h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:v2", RolloutHarness.Fast(o => (o.MaxSurge, o.MaxUnavailable) = (null, null)));

        Assert.Equal(RollingUpdatePhase.Succeeded, status.Phase);
        var strategy = (await h.DeploymentAsync()).Spec.Strategy.RollingUpdate;
        Assert.Equal(("25%", "50%"), (strategy.MaxSurge.Value, strategy.MaxUnavailable.Value));
    }

    [SimulatedOnlyFact("simulated Deployment controller")]
    public async Task Percentages_the_user_gives_are_written_as_percentages_and_keep_their_meaning_after_a_scale_up()
    {
        await using var h = await RolloutHarness.StartAsync(replicas: 5);

        var status = await h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:v2", RolloutHarness.Fast(o => (o.MaxSurge, o.MaxUnavailable) = ("40%", "20%")));

        Assert.Equal(RollingUpdatePhase.Succeeded, status.Phase);
        var strategy = (await h.DeploymentAsync()).Spec.Strategy.RollingUpdate;
        Assert.Equal(("40%", "20%"), (strategy.MaxSurge.Value, strategy.MaxUnavailable.Value));
        Assert.Equal((4, 2), Fenceposts.Resolve(strategy.MaxSurge, strategy.MaxUnavailable, 10)); // 10 replicas later: still 40 % and 20 %
    }

    [SimulatedOnlyFact("simulated Deployment controller")]
    public async Task Budget_at_its_limit_refuses_the_update_naming_the_budget_when_lowering_is_off()
    {
        await using var h = await RolloutHarness.StartAsync(replicas: 3);
        await CreateBudgetAsync(h, minAvailable: 3);
        var generation = (await h.DeploymentAsync()).Metadata.Generation;

        var e = await Assert.ThrowsAsync<RollingUpdateRefusedException>(() =>
            h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:v2", RolloutHarness.Fast(o => o.LowerMaxUnavailableForDisruptionBudgets = false)));

        var problem = Assert.Single(e.Problems);
        Assert.Contains("PodDisruptionBudget roost-pdb needs 3 of 3 pods healthy", problem, StringComparison.Ordinal);
        Assert.Contains("maxUnavailable is 1", problem, StringComparison.Ordinal);
        var deployment = await h.DeploymentAsync();
        Assert.Equal((generation, "roost:v1"), (deployment.Metadata.Generation, deployment.Spec.Template.Spec.Containers[0].Image));
        Assert.Equal(RollingUpdatePhase.Failed, Assert.Single(h.Manager.ListUpdates()).Phase);
    }

    [SimulatedOnlyFact("simulated Deployment controller")]
    public async Task Budget_at_its_limit_is_waited_for_and_the_update_runs_once_it_allows_a_disruption()
    {
        await using var h = await RolloutHarness.StartAsync(replicas: 3);
        await CreateBudgetAsync(h, minAvailable: 3);
        var relaxed = 0;
        var progress = new SynchronousProgress<RollingUpdateStatus>(s =>
        {
            if (s.Message.StartsWith("waiting for a PodDisruptionBudget", StringComparison.Ordinal) && Interlocked.Exchange(ref relaxed, 1) == 0)
            {
                h.Client.PolicyV1.PatchNamespacedPodDisruptionBudget(new V1Patch("{\"spec\":{\"minAvailable\":2}}", V1Patch.PatchType.MergePatch), "roost-pdb", h.Namespace);
            }
        });

        var status = await h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:v2",
            RolloutHarness.Fast(o => (o.LowerMaxUnavailableForDisruptionBudgets, o.DisruptionBudgetWait) = (false, Patience)), progress);

        Assert.Equal(1, relaxed);
        Assert.Equal(RollingUpdatePhase.Succeeded, status.Phase);
        Assert.Equal("1", (await h.DeploymentAsync()).Spec.Strategy.RollingUpdate.MaxUnavailable.Value);
    }

    [SimulatedOnlyFact("simulated Deployment controller")]
    public async Task Second_update_of_the_same_deployment_is_refused_naming_the_running_one_in_process_and_across_replicas()
    {
        await using var h = await RolloutHarness.StartAsync(replicas: 2, podStartupDelay: TimeSpan.FromSeconds(1));
        using var other = new RollingUpdateManager(h.Simulation.CreateClient("other-replica"), identity: "replica-b");
        var updating = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:v2", RolloutHarness.Fast(),
            new SynchronousProgress<RollingUpdateStatus>(s => { if (s.Phase == RollingUpdatePhase.Updating) { updating.TrySetResult(s.Id); } }));
        var runningId = await updating.Task.WaitAsync(Patience);

        var local = await Assert.ThrowsAsync<RollingUpdateInProgressException>(() => h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:v3", RolloutHarness.Fast()));
        var remote = await Assert.ThrowsAsync<RollingUpdateInProgressException>(() => other.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:v3", RolloutHarness.Fast()));
        var validation = await other.ValidateUpdateAsync(h.Namespace, "roost", new Dictionary<string, string> { ["roost"] = "roost:v3" }, RolloutHarness.Fast());
        var status = await first;

        Assert.Equal(runningId, local.RunningUpdateId);
        Assert.Equal((runningId, h.Manager.Identity), (remote.RunningUpdateId, remote.Holder));
        Assert.NotNull(remote.ExpiresAt);
        Assert.Contains(runningId, remote.Message, StringComparison.Ordinal);
        Assert.Contains(validation.Problems, p => p.Contains(runningId, StringComparison.Ordinal));
        Assert.Equal(RollingUpdatePhase.Succeeded, status.Phase);
        var after = await other.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:v3", RolloutHarness.Fast());
        Assert.Equal(RollingUpdatePhase.Succeeded, after.Phase);
    }

    [SimulatedOnlyFact("simulated Deployment controller")]
    public async Task Expired_lock_of_a_holder_that_died_does_not_block_the_next_update()
    {
        await using var h = await RolloutHarness.StartAsync(replicas: 2);
        var now = DateTimeOffset.UtcNow;
        await h.Client.CoordinationV1.CreateNamespacedLeaseAsync(new UpdateLock("upd-dead", "replica-gone", now.AddSeconds(-1)).Write(null, h.Namespace, "roost", now.AddMinutes(-20)), h.Namespace);

        var status = await h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:v2", RolloutHarness.Fast());

        Assert.Equal(RollingUpdatePhase.Succeeded, status.Phase);
        Assert.Empty((await h.Client.CoordinationV1.ListNamespacedLeaseAsync(h.Namespace)).Items);
    }

    [SimulatedOnlyFact("simulated Deployment controller")]
    public async Task A_lock_annotation_copied_back_onto_the_deployment_does_not_block_and_is_dropped()
    {
        // What kubectl rollout undo left with earlier versions: a finished update's lock, hours from expiry.
        await using var h = await RolloutHarness.StartAsync(replicas: 2);
        var copied = $"id=upd-finished;holder={h.Manager.Identity};expires={DateTimeOffset.UtcNow.AddHours(1):yyyy-MM-ddTHH:mm:ssZ}";
        await h.Client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch(new { metadata = new { annotations = new Dictionary<string, string> { [RollingUpdateManager.LockAnnotation] = copied } } }, V1Patch.PatchType.MergePatch), "roost", h.Namespace);

        var status = await h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:v2", RolloutHarness.Fast());

        Assert.Equal(RollingUpdatePhase.Succeeded, status.Phase);
        Assert.False((await h.DeploymentAsync()).Metadata.Annotations.ContainsKey(RollingUpdateManager.LockAnnotation));
    }

    [SimulatedOnlyFact("simulated Deployment controller")]
    public async Task A_lock_lease_naming_an_update_this_manager_does_not_run_is_stale_and_another_holders_live_one_blocks()
    {
        await using var h = await RolloutHarness.StartAsync(replicas: 2);
        var now = DateTimeOffset.UtcNow;
        var leftOver = new UpdateLock("upd-finished", h.Manager.Identity, now.AddMinutes(15)).Write(null, h.Namespace, "roost", now);
        await h.Client.CoordinationV1.CreateNamespacedLeaseAsync(leftOver, h.Namespace);

        var status = await h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:v2", RolloutHarness.Fast());
        Assert.Equal(RollingUpdatePhase.Succeeded, status.Phase);

        var running = new UpdateLock("upd-elsewhere", "replica-b", now.AddMinutes(15)).Write(null, h.Namespace, "roost", now);
        await h.Client.CoordinationV1.CreateNamespacedLeaseAsync(running, h.Namespace);
        var refused = await Assert.ThrowsAsync<RollingUpdateInProgressException>(() => h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:v3", RolloutHarness.Fast()));
        Assert.Equal(("upd-elsewhere", "replica-b"), (refused.RunningUpdateId, refused.Holder));
        Assert.Equal("roost:v2", (await h.DeploymentAsync()).Spec.Template.Spec.Containers[0].Image);
        Assert.Equal("replica-b", (await h.Client.CoordinationV1.ReadNamespacedLeaseAsync(UpdateLock.LeaseName("roost"), h.Namespace)).Spec.HolderIdentity);
    }

    [SimulatedOnlyFact("simulated Deployment controller")]
    public async Task Cancellation_rolls_back_then_throws()
    {
        await using var h = await RolloutHarness.StartAsync(replicas: 3, podStartupDelay: TimeSpan.FromSeconds(1));
        using var cts = new CancellationTokenSource();
        var progress = new SynchronousProgress<RollingUpdateStatus>(s => { if (s.Phase == RollingUpdatePhase.Updating && s.UpdatedReplicas > 0) { cts.Cancel(); } });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:v2", RolloutHarness.Fast(), progress, cts.Token));

        var status = Assert.Single(h.Manager.ListUpdates());
        Assert.Equal((RollingUpdatePhase.RolledBack, RollingUpdateFailureKind.Cancelled), (status.Phase, status.Failure));
        Assert.Equal("roost:v1", (await h.DeploymentAsync()).Spec.Template.Spec.Containers[0].Image);
        await h.WaitForPodsAsync("roost:v1", 3);
    }

    [SimulatedOnlyFact("simulated Deployment controller")]
    public async Task Cancellation_with_rollback_on_cancel_off_leaves_the_new_template_and_says_so()
    {
        await using var h = await RolloutHarness.StartAsync(replicas: 3, podStartupDelay: TimeSpan.FromSeconds(1));
        using var cts = new CancellationTokenSource();
        var progress = new SynchronousProgress<RollingUpdateStatus>(s => { if (s.Phase == RollingUpdatePhase.Updating) { cts.Cancel(); } });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:v2", RolloutHarness.Fast(o => o.RollbackOnCancel = false), progress, cts.Token));

        var status = Assert.Single(h.Manager.ListUpdates());
        Assert.Equal((RollingUpdatePhase.Failed, RollingUpdateFailureKind.Cancelled), (status.Phase, status.Failure));
        Assert.Contains("RollbackOnCancel is false", status.Message, StringComparison.Ordinal);
        var deployment = await h.DeploymentAsync();
        Assert.Equal("roost:v2", deployment.Spec.Template.Spec.Containers[0].Image);
        Assert.Empty((await h.Client.CoordinationV1.ListNamespacedLeaseAsync(h.Namespace)).Items); // the update lock was released
    }

    [SimulatedOnlyFact("fault injection")]
    public async Task Transient_api_errors_during_the_rollout_are_retried_and_the_update_completes()
    {
        await using var h = await RolloutHarness.StartAsync(replicas: 2);
        var injected = 0;
        var progress = new SynchronousProgress<RollingUpdateStatus>(s =>
        {
            if (s.Phase == RollingUpdatePhase.Updating && Interlocked.Exchange(ref injected, 1) == 0)
            {
                h.Simulation.Faults.FailNext("manager", HttpStatusCode.ServiceUnavailable, 4);
            }
        });

        var status = await h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:v2", RolloutHarness.Fast(), progress);

        Assert.Equal(RollingUpdatePhase.Succeeded, status.Phase);
        await h.WaitForPodsAsync("roost:v2", 2);
    }

    [SimulatedOnlyFact("fault injection")]
    public async Task An_api_error_before_the_only_container_is_known_is_recorded_as_an_update_that_stopped_before_the_template_changed()
    {
        // The single-image overload used to look the container up before the update was recorded: an update that
        // failed there was thrown but never listed (seen as RolloutUnderFaultsTests finding no update under load).
        await using var h = await RolloutHarness.StartAsync(replicas: 1);
        var generation = (await h.DeploymentAsync()).Metadata.Generation;
        h.Simulation.Faults.FailNext("manager", HttpStatusCode.Forbidden, 1);

        var refused = await Assert.ThrowsAsync<RollingUpdateRefusedException>(() => h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:v2", RolloutHarness.Fast()));

        var recorded = Assert.Single(h.Manager.ListUpdates());
        Assert.Equal((RollingUpdatePhase.Failed, RollingUpdateFailureKind.ApiError), (recorded.Phase, recorded.Failure));
        Assert.Contains("stopped before the template was changed", recorded.Message, StringComparison.Ordinal);
        Assert.Contains("403", Assert.Single(refused.Problems), StringComparison.Ordinal);
        Assert.Equal(generation, (await h.DeploymentAsync()).Metadata.Generation);
    }

    [SimulatedOnlyFact("simulated Deployment controller")]
    public async Task The_only_container_is_named_in_the_recorded_update_and_a_deployment_with_two_is_refused_and_recorded()
    {
        await using var h = await RolloutHarness.StartAsync(replicas: 1, configure: spec => spec.Template.Spec.Containers.Add(new V1Container { Name = "sidecar", Image = "envoy:1" }));

        var refused = await Assert.ThrowsAsync<RollingUpdateRefusedException>(() => h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:v2", RolloutHarness.Fast()));
        Assert.Contains("has 2 containers (roost, sidecar)", Assert.Single(refused.Problems), StringComparison.Ordinal);
        var recorded = Assert.Single(h.Manager.ListUpdates());
        Assert.Equal(RollingUpdatePhase.Failed, recorded.Phase);
        Assert.StartsWith("refused: ", recorded.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", new Dictionary<string, string> { [""] = "roost:v2" }, RolloutHarness.Fast()));
    }

    [SimulatedOnlyFact("fault injection")]
    public async Task Non_transient_api_error_while_following_rolls_back_and_reports_it()
    {
        await using var h = await RolloutHarness.StartAsync(replicas: 2, podStartupDelay: TimeSpan.FromMilliseconds(500));
        var injected = 0;
        var progress = new SynchronousProgress<RollingUpdateStatus>(s =>
        {
            if (s.Phase == RollingUpdatePhase.Updating && Interlocked.Exchange(ref injected, 1) == 0)
            {
                h.Simulation.Faults.FailNext("manager", HttpStatusCode.Forbidden, 1);
            }
        });

        var status = await h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:v2", RolloutHarness.Fast(), progress);

        Assert.Equal((RollingUpdatePhase.RolledBack, RollingUpdateFailureKind.ApiError), (status.Phase, status.Failure));
        Assert.Contains("403", status.Timeline.First(e => e.Phase == RollingUpdatePhase.RollingBack).Message, StringComparison.Ordinal);
        await h.WaitForPodsAsync("roost:v1", 2);
    }

    [SimulatedOnlyFact("fault injection")]
    public async Task Rollback_that_cannot_reach_the_api_ends_failed_with_what_to_run()
    {
        await using var h = await RolloutHarness.StartAsync(replicas: 2);
        h.Simulation.Images.Set("roost:crash", ImageHealth.CrashLooping);
        var progress = new SynchronousProgress<RollingUpdateStatus>(s =>
        {
            if (s.Phase == RollingUpdatePhase.RollingBack)
            {
                h.Simulation.Faults.Partition("manager");
            }
        });

        var e = await Assert.ThrowsAsync<RollingUpdateFailedException>(() => h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:crash",
            RolloutHarness.Fast(o => o.RollbackTimeout = TimeSpan.FromSeconds(2)), progress));
        h.Simulation.Faults.Heal("manager");

        Assert.Equal((RollingUpdatePhase.Failed, RollingUpdateFailureKind.CrashLoop), (e.Status.Phase, e.Status.Failure));
        Assert.Equal(("roost", 1L, 2L), (e.Deployment, e.PreviousRevision, e.Revision));
        Assert.Contains("kubectl rollout undo deployment/roost", e.Message, StringComparison.Ordinal);
        Assert.Contains("--to-revision=1", e.Message, StringComparison.Ordinal);
        Assert.Equal(RollingUpdatePhase.Failed, h.Manager.GetUpdateStatus(e.Status.Id)?.Phase);
    }

    [SimulatedOnlyFact("simulated kubelet image rules")]
    public async Task Rollback_off_reports_failed_and_leaves_the_deployment_as_it_is()
    {
        await using var h = await RolloutHarness.StartAsync(replicas: 2);
        h.Simulation.Images.Set("roost:crash", ImageHealth.CrashLooping);

        var status = await h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:crash", RolloutHarness.Fast(o => o.RollbackOnFailure = false));

        Assert.Equal((RollingUpdatePhase.Failed, RollingUpdateFailureKind.CrashLoop), (status.Phase, status.Failure));
        Assert.Equal("roost:crash", (await h.DeploymentAsync()).Spec.Template.Spec.Containers[0].Image);
    }

    [SimulatedOnlyFact("simulated kubelet start-up delay")]
    public async Task Timeout_with_rollback_off_ends_timed_out()
    {
        // Pods stay Pending for 5 s, so nothing fails: the rollout is just slower than the update's Timeout.
        await using var h = await RolloutHarness.StartAsync(replicas: 2, podStartupDelay: TimeSpan.FromSeconds(5));

        var status = await h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:slow", RolloutHarness.Fast(o =>
        {
            o.RollbackOnFailure = false;
            o.ReadinessTimeout = TimeSpan.FromSeconds(1);
            o.Timeout = TimeSpan.FromSeconds(1.5);
        }));

        Assert.Equal((RollingUpdatePhase.TimedOut, RollingUpdateFailureKind.TimedOut), (status.Phase, status.Failure));
    }

    [SimulatedOnlyFact("simulated Deployment controller")]
    public async Task Validation_refuses_bad_requests_and_changes_nothing()
    {
        await using var h = await RolloutHarness.StartAsync(replicas: 1);
        var generation = (await h.DeploymentAsync()).Metadata.Generation;

        var missing = await Assert.ThrowsAsync<RollingUpdateRefusedException>(() => h.Manager.PerformRollingUpdateAsync(h.Namespace, "nope", "roost:v2", RolloutHarness.Fast()));
        var malformed = await Assert.ThrowsAsync<RollingUpdateRefusedException>(() => h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "Roost:V2 ", RolloutHarness.Fast(o => o.MaxUnavailable = 0)));
        var noContainer = await Assert.ThrowsAsync<RollingUpdateRefusedException>(() => h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost",
            new Dictionary<string, string> { ["sidecar"] = "envoy:1" }, RolloutHarness.Fast(o => o.MaxUnavailable = 0)));
        var noneAvailable = await Assert.ThrowsAsync<RollingUpdateRefusedException>(() => h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:v2", RolloutHarness.Fast()));

        Assert.Contains("was not found", Assert.Single(missing.Problems), StringComparison.Ordinal);
        Assert.Contains("not a well-formed image reference", Assert.Single(malformed.Problems), StringComparison.Ordinal);
        Assert.Contains("no container \"sidecar\" (it has: roost)", Assert.Single(noContainer.Problems), StringComparison.Ordinal);
        Assert.Contains("could leave no pod available", Assert.Single(noneAvailable.Problems), StringComparison.Ordinal);
        Assert.Equal(generation, (await h.DeploymentAsync()).Metadata.Generation);
        var single = await h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:v2", RolloutHarness.Fast(o => o.MaxUnavailable = 0));
        Assert.Equal(RollingUpdatePhase.Succeeded, single.Phase);
        Assert.Equal(new KeyValuePair<string, string>("roost", "roost:v2"), Assert.Single(single.Images));
    }

    [SimulatedOnlyFact("simulated kubelet image rules")]
    public async Task Validation_refuses_a_deployment_that_is_not_healthy_now()
    {
        await using var h = await RolloutHarness.StartAsync(replicas: 2);
        h.Simulation.Images.Set("roost:crash", ImageHealth.CrashLooping);
        await SetImageAsync(h.Client, h.Namespace, "roost", "roost:crash");
        await WaitForAsync(h.DeploymentAsync, d => d.Status.UpdatedReplicas > 0, "the broken rollout to start");

        var e = await Assert.ThrowsAsync<RollingUpdateRefusedException>(() => h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:v2", RolloutHarness.Fast()));

        Assert.Contains("is not healthy now", Assert.Single(e.Problems), StringComparison.Ordinal);
    }

    [SimulatedOnlyFact("simulated Deployment controller")]
    public async Task Same_image_succeeds_without_a_new_revision()
    {
        await using var h = await RolloutHarness.StartAsync(replicas: 2);

        var status = await h.Manager.PerformRollingUpdateAsync(h.Namespace, "roost", "roost:v1", RolloutHarness.Fast());

        Assert.Equal(RollingUpdatePhase.Succeeded, status.Phase);
        Assert.Contains("nothing to roll out", status.Message, StringComparison.Ordinal);
        Assert.Equal("1", (await h.DeploymentAsync()).Metadata.Annotations[RevisionAnnotation]);
    }

    private static Task CreateBudgetAsync(RolloutHarness h, int minAvailable) =>
        h.Client.PolicyV1.CreateNamespacedPodDisruptionBudgetAsync(
            new V1PodDisruptionBudget
            {
                Metadata = new V1ObjectMeta { Name = "roost-pdb" },
                Spec = new V1PodDisruptionBudgetSpec { MinAvailable = minAvailable, Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "roost" } } },
            },
            h.Namespace);
}
