using System.Diagnostics;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using RoostKeeper.Ha.KubernetesApi;

namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>Following the rollout, the canary hold, verification, and the rollback (the half of <see cref="UpdateRun"/> after the patch).</summary>
internal sealed partial class UpdateRun
{
    private async Task<RollingUpdateStatus> FollowAsync(UpdateValidator.Plan plan, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var canaryPending = _options.Canary;
        var canaryHeld = false;
        (RollingUpdateFailureKind Kind, string Message)? failure = null;
        try
        {
            while (failure is null)
            {
                var (deployment, report, pods) = await ObserveAsync(deadline, isRollback: false, cancellationToken).ConfigureAwait(false);
                if (deployment is null)
                {
                    failure = (RollingUpdateFailureKind.ApiError, $"deployment {_ns}/{_name} was deleted during the update");
                    break;
                }

                if (report.State == RolloutState.DeadlineExceeded)
                {
                    failure = (RollingUpdateFailureKind.ProgressDeadlineExceeded, report.Message);
                    break;
                }

                if (PodFailureDetector.Detect(pods, Age, _options.MaxRestarts, _options.ReadinessTimeout) is { } podFailure)
                {
                    failure = (podFailure.Kind, podFailure.Message);
                    break;
                }

                if (canaryPending && !canaryHeld && report.NewReplicaSet is { } created)
                {
                    // Pause as soon as the new ReplicaSet exists: with maxSurge 1 and maxUnavailable 0 it was created with
                    // one pod, and a paused Deployment is only resized, never rolled further, so the canary stays one pod.
                    await PatchSpecAsync(new JsonObject { ["paused"] = true }, deadline, cancellationToken).ConfigureAwait(false);
                    canaryHeld = true;
                    _tracker.Enter(RollingUpdatePhase.Canary, $"holding: ReplicaSet {created.Metadata.Name} created; waiting for its first pod to be ready");
                }

                if (canaryPending && report.NewReplicaSet is { } canarySet && pods.Any(PodFailureDetector.IsReady))
                {
                    canaryPending = false;
                    failure = await HoldCanaryAsync(plan, canarySet, pods, deadline, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (report.State == RolloutState.Complete && report.NewReplicaSet is { } newSet && !canaryPending)
                {
                    failure = await VerifyAsync(VerificationStage.Complete, RollingUpdatePhase.Verifying, newSet, pods, cancellationToken).ConfigureAwait(false);
                    if (failure is null)
                    {
                        var revision = RolloutStatusEvaluator.Revision(newSet.Metadata);
                        _tracker.Set(s => s with { Revision = revision });
                        _metrics.Succeeded.Add(1, Tags);
                        RollingUpdateLog.Succeeded(_logger, _tracker.Id, _ns, _name, revision);
                        return _tracker.Enter(RollingUpdatePhase.Succeeded, $"{report.Message}: {report.Available} of {report.Desired} replicas run revision {revision}");
                    }

                    break;
                }

                if (_time.GetUtcNow() >= deadline)
                {
                    failure = (RollingUpdateFailureKind.TimedOut, $"the rollout did not complete within {_options.Timeout} ({report.Message})");
                    break;
                }

                await Task.Delay(_options.PollInterval, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            if (!_options.RollbackOnCancel)
            {
                _tracker.Enter(RollingUpdatePhase.Failed, "cancelled; left as it is (RollbackOnCancel is false)", RollingUpdateFailureKind.Cancelled);
                _metrics.Failed.Add(1, WithFailure(RollingUpdateFailureKind.Cancelled));
                throw;
            }

            await RollBackAsync(RollingUpdateFailureKind.Cancelled, "the update was cancelled").ConfigureAwait(false);
            throw;
        }
        catch (Exception e) when (KubernetesApiErrors.IsApiOrNetwork(e))
        {
            // Not transient (or transient past the update's deadline): the rollout can no longer be followed, so it is
            // not known to be good: treat it like any failure rather than stopping half-way.
            failure = (RollingUpdateFailureKind.ApiError, $"following the rollout failed: {KubernetesApiErrors.Describe(e)}");
        }

        return await FailAsync(failure!.Value.Kind, failure.Value.Message).ConfigureAwait(false);
    }

    private async Task<RollingUpdateStatus> FailAsync(RollingUpdateFailureKind kind, string message)
    {
        RollingUpdateLog.FailureDetected(_logger, _tracker.Id, kind, message);
        if (!_options.RollbackOnFailure)
        {
            var phase = kind == RollingUpdateFailureKind.TimedOut ? RollingUpdatePhase.TimedOut : RollingUpdatePhase.Failed;
            _metrics.Failed.Add(1, WithFailure(kind));
            var left = _tracker.Enter(phase, $"{message}; left as it is (RollbackOnFailure is false)", kind);
            RollingUpdateLog.Failed(_logger, _tracker.Id, _ns, _name, phase, left.Message, null);
            return left;
        }

        return await RollBackAsync(kind, message).ConfigureAwait(false);
    }

    /// <summary>Canary: the first new pod is ready and the Deployment paused: verify, then resume with the update's strategy; the failure if any.</summary>
    private async Task<(RollingUpdateFailureKind, string)?> HoldCanaryAsync(UpdateValidator.Plan plan, V1ReplicaSet canarySet, IReadOnlyList<V1Pod> pods, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var failure = await VerifyAsync(VerificationStage.Canary, RollingUpdatePhase.Canary, canarySet, pods, cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        await PatchSpecAsync(
            new JsonObject
            {
                ["paused"] = false,
                ["strategy"] = new JsonObject { ["rollingUpdate"] = new JsonObject { ["maxSurge"] = Node(plan.Surge), ["maxUnavailable"] = Node(plan.Unavailable) } },
            },
            deadline,
            cancellationToken).ConfigureAwait(false);
        _tracker.Enter(RollingUpdatePhase.Updating, $"canary verified; resuming with maxSurge {plan.MaxSurge}, maxUnavailable {plan.MaxUnavailable}");
        return null;
    }

    /// <summary>A maxSurge or maxUnavailable as JSON: a count as a number, a percentage as a string, as the API has them.</summary>
    private static JsonNode? Node(IntOrString? value) =>
        value?.Value is not { } text ? null : Fenceposts.Parse(value) is { IsPercent: false } count ? JsonValue.Create(count.Value) : JsonValue.Create(text);

    /// <summary>
    /// Puts back the Deployment's own maxSurge and maxUnavailable after an update that lowered them for a
    /// PodDisruptionBudget (the lowered values were for that update's budget, not the Deployment's for ever). Only
    /// the strategy changes (no new rollout), and the final status is left as it is. A failure is logged, never thrown:
    /// the update's outcome stands.
    /// </summary>
    private async Task RestoreStrategyAsync(UpdateValidator.Plan plan)
    {
        var limit = _options.RollbackTimeout < TimeSpan.FromSeconds(30) ? _options.RollbackTimeout : TimeSpan.FromSeconds(30);
        using var bound = new CancellationTokenSource(limit, _time);
        try
        {
            await PatchSpecAsync(
                new JsonObject { ["strategy"] = new JsonObject { ["rollingUpdate"] = new JsonObject { ["maxSurge"] = Node(plan.Own?.MaxSurge), ["maxUnavailable"] = Node(plan.Own?.MaxUnavailable) } } },
                _time.GetUtcNow() + limit,
                bound.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (KubernetesApiErrors.IsApiOrNetwork(e) || e is OperationCanceledException)
        {
            RollingUpdateLog.ApiRetry(_logger, _tracker.Id, "restore of the Deployment's strategy (it keeps the update's lowered values)", KubernetesApiErrors.Describe(e));
        }
    }

    private Task PatchSpecAsync(JsonObject spec, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var patch = new V1Patch(new JsonObject { ["spec"] = spec }.ToJsonString(), V1Patch.PatchType.MergePatch);
        return _api.CallAsync("patch deployment", ct => _kubernetes.AppsV1.PatchNamespacedDeploymentAsync(patch, _name, _ns, cancellationToken: ct), deadline, cancellationToken);
    }

    private async Task<(RollingUpdateFailureKind, string)?> VerifyAsync(VerificationStage stage, RollingUpdatePhase phase, V1ReplicaSet newSet, IReadOnlyList<V1Pod> pods, CancellationToken cancellationToken)
    {
        if (_options.Verify is not { } verify)
        {
            return null;
        }

        var revision = RolloutStatusEvaluator.Revision(newSet.Metadata);
        var ready = pods.Where(PodFailureDetector.IsReady).ToList();
        _tracker.Enter(phase, $"{stage} verification of revision {revision} on {ready.Count} ready pod(s)");
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(_options.VerificationTimeout);
        try
        {
            var context = new RollingUpdateVerificationContext
            {
                UpdateId = _tracker.Id,
                Stage = stage,
                Namespace = _ns,
                Deployment = _name,
                Revision = revision,
                ReplicaSet = newSet.Metadata.Name,
                Pods = ready,
                Kubernetes = _kubernetes,
            };
            return await verify(context, bounded.Token).ConfigureAwait(false)
                ? null
                : (RollingUpdateFailureKind.VerificationFailed, $"{stage} verification of revision {revision} returned false");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (RollingUpdateFailureKind.VerificationFailed, $"{stage} verification of revision {revision} did not finish within {_options.VerificationTimeout}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return (RollingUpdateFailureKind.VerificationFailed, $"{stage} verification of revision {revision} threw {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>The Deployment, kubectl's verdict on it, and the new ReplicaSet's pods (or, during a rollback, the target's).</summary>
    private async Task<(V1Deployment? Deployment, RolloutStatusReport Report, IReadOnlyList<V1Pod> Pods)> ObserveAsync(DateTimeOffset deadline, bool isRollback, CancellationToken cancellationToken)
    {
        var deployment = await _api.ReadDeploymentAsync(_ns, _name, deadline, cancellationToken).ConfigureAwait(false);
        if (deployment is null)
        {
            return (null, new RolloutStatusReport(RolloutState.Waiting, "deployment not found", 0, 0, 0, 0, 0, 0, null), []);
        }

        var replicaSets = await _api.ReplicaSetsAsync(deployment, deadline, cancellationToken).ConfigureAwait(false);
        var report = RolloutStatusEvaluator.Evaluate(deployment, replicaSets);
        var pods = report.NewReplicaSet is { } newSet ? await _api.PodsAsync(newSet, deadline, cancellationToken).ConfigureAwait(false) : [];
        var now = _time.GetUtcNow();
        foreach (var pod in pods.Where(p => p.Status?.Phase == "Running"))
        {
            // The readiness bound runs from when the pod was first seen running: a slow pull or a pod waiting for a
            // node is the progress deadline's (and Timeout's) business, not a readiness failure.
            _firstSeen.TryAdd(pod.Metadata.Uid ?? pod.Metadata.Name, now);
        }

        _tracker.Observe(report, isRollback);
        return (deployment, report, pods);
    }

    private TimeSpan Age(V1Pod pod) =>
        _firstSeen.TryGetValue(pod.Metadata.Uid ?? pod.Metadata.Name, out var seen) ? _time.GetUtcNow() - seen : TimeSpan.Zero;

    private TagList WithFailure(RollingUpdateFailureKind kind)
    {
        var tags = Tags;
        tags.Add("failure", kind.ToString());
        return tags;
    }
}
