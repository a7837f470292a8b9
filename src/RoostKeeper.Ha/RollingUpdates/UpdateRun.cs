using System.Diagnostics;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using RoostKeeper.Ha.Diagnostics;
using RoostKeeper.Ha.KubernetesApi;

namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>
/// One update from validation to its final phase: validate, snapshot configuration, patch, follow the rollout with
/// <see cref="RolloutStatusEvaluator"/> and <see cref="PodFailureDetector"/>, verify, and on failure roll back with
/// <see cref="DeploymentRollback"/> and wait for the rollback to be complete and available.
/// <para>
/// Guarantee: once the new template is written, the update ends in a final phase that says where the Deployment is.
/// Transient API failures are retried within the update's bounds; any other failure while following the rollout is a
/// failure of the update and is rolled back like a crash loop; a rollback that cannot finish ends Failed and is thrown
/// as <see cref="RollingUpdateFailedException"/>, naming the revision to go back to.
/// </para>
/// </summary>
internal sealed partial class UpdateRun
{
    private readonly RolloutApi _api;
    private readonly IKubernetes _kubernetes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RollingUpdateMetrics _metrics;
    private readonly UpdateTracker _tracker;
    private readonly RollingUpdateOptions _options;
    private readonly string _ns;
    private readonly string _name;
    private IReadOnlyDictionary<string, string> _images;
    private readonly string _holder;
    private readonly UpdateLocks _locks;
    private readonly Func<UpdateLock, bool> _isFinished;
    private readonly Dictionary<string, DateTimeOffset> _firstSeen = new(StringComparer.Ordinal);
    private ConfigurationSnapshot? _snapshot;
    private UpdateLock? _lock;
    private UpdateValidator.Plan? _plan;
    private long _previousRevision;
    private bool _templateWritten;
    private bool _templateWriteSent;

    public UpdateRun(IKubernetes kubernetes, TimeProvider time, ILogger logger, RollingUpdateMetrics metrics, UpdateTracker tracker,
        RollingUpdateOptions options, string ns, string name, IReadOnlyDictionary<string, string> images, string holder, Func<UpdateLock, bool> isFinished)
    {
        _kubernetes = kubernetes;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _tracker = tracker;
        _options = options;
        _ns = ns;
        _name = name;
        _images = images;
        _holder = holder;
        _api = new RolloutApi(kubernetes, time, logger, tracker.Id, options.PollInterval);
        _locks = new UpdateLocks(_api, time);
        _isFinished = isFinished;
    }

    private TagList Tags => new() { { "namespace", _ns }, { "deployment", _name } };

    public async Task<RollingUpdateStatus> RunAsync(CancellationToken cancellationToken)
    {
        using var activity = HaTelemetry.ActivitySource.StartActivity(HaActivities.RollingUpdate);
        activity?.SetTag("k8s.namespace.name", _ns);
        activity?.SetTag("k8s.deployment.name", _name);
        activity?.SetTag("roost_keeper.update.id", _tracker.Id);
        var deadline = _time.GetUtcNow() + _options.Timeout;
        try
        {
            var plan = await PrepareAsync(deadline, cancellationToken).ConfigureAwait(false);
            if (plan is null)
            {
                return _tracker.Status;
            }

            var status = await FollowAsync(plan, deadline, cancellationToken).ConfigureAwait(false);
            activity?.SetTag("roost_keeper.update.phase", status.Phase.ToString());
            activity?.SetStatus(status.Phase == RollingUpdatePhase.Succeeded ? ActivityStatusCode.Ok : ActivityStatusCode.Error, status.Message);
            return status;
        }
        catch (Exception e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            if (!_tracker.Status.IsFinished)
            {
                // Before the template is written this is a refusal or an API failure; after it, only a defect (an
                // unexpected exception) gets here, and the status says the Deployment may be mid-rollout.
                var problem = KubernetesApiErrors.IsApiOrNetwork(e) ? KubernetesApiErrors.Describe(e) : $"{e.GetType().Name}: {e.Message}";
                var reason = _templateWritten
                    ? $"stopped by an unexpected error after the template was changed (the Deployment may be mid-rollout; check kubectl rollout status): {problem}"
                    : _templateWriteSent
                        ? $"stopped while writing the template: the write got no answer ({problem}), so it may have been applied; check kubectl rollout status deployment/{_name} -n {_ns} and, if it changed, kubectl rollout undo deployment/{_name} -n {_ns} --to-revision={_previousRevision}"
                        : (e is OperationCanceledException ? "cancelled before the template was changed" : $"stopped before the template was changed: {problem}");
                _tracker.Enter(RollingUpdatePhase.Failed, reason, e is OperationCanceledException ? RollingUpdateFailureKind.Cancelled : RollingUpdateFailureKind.ApiError);
                if (!_templateWritten && KubernetesApiErrors.StatusCode(e) == 403)
                {
                    // RBAC refused a call before anything changed: a refusal whose message names the verb and
                    // resource the API server refused (its 403 says which), not a bare "status code 'Forbidden'".
                    throw new RollingUpdateRefusedException(_ns, _name, [$"{problem}. Grant that permission to this replica's service account (docs/health.md, RBAC, per feature)."]);
                }
            }

            throw;
        }
        finally
        {
            var final = _tracker.Status;
            if (_templateWritten)
            {
                var outcome = final.Phase.ToString();
                _metrics.Duration.Record((_time.GetUtcNow() - final.StartedAt).TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome), new("namespace", _ns), new("deployment", _name));
            }

            if (_templateWritten && _plan is { LoweredForBudget: true } && final.Phase is RollingUpdatePhase.Succeeded or RollingUpdatePhase.RolledBack)
            {
                await RestoreStrategyAsync(_plan).ConfigureAwait(false);
            }

            await ReleaseLockAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Validates, snapshots and writes the new template; null when there is nothing to roll out.</summary>
    private async Task<UpdateValidator.Plan?> PrepareAsync(DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var plan = await ValidateAsync(deadline, cancellationToken).ConfigureAwait(false);
        var validation = plan.Validation;
        foreach (var warning in validation.Warnings)
        {
            RollingUpdateLog.ValidationWarning(_logger, _tracker.Id, warning);
            _tracker.Note(warning);
        }

        if (!validation.IsValid)
        {
            RollingUpdateLog.Refused(_logger, _ns, _name, string.Join(" ", validation.Problems));
            _tracker.Enter(RollingUpdatePhase.Failed, "refused: " + string.Join(" ", validation.Problems));
            throw new RollingUpdateRefusedException(_ns, _name, validation.Problems);
        }

        _previousRevision = validation.CurrentRevision;
        _tracker.Set(s => s with { PreviousRevision = validation.CurrentRevision, Revision = validation.CurrentRevision });
        if (validation.IsNoChange)
        {
            _tracker.Enter(RollingUpdatePhase.Succeeded, $"deployment {_ns}/{_name} already runs {ImagesText()}; nothing to roll out");
            return null;
        }

        // The lock first: the BeforeUpdate hook and the configuration snapshot belong to this update alone.
        _lock = new UpdateLock(_tracker.Id, _holder, _time.GetUtcNow() + _options.Timeout + _options.RollbackTimeout + _options.VerificationTimeout + _options.VerificationTimeout);
        try
        {
            await _locks.AcquireAsync(_lock, _ns, _name, _isFinished, deadline, cancellationToken).ConfigureAwait(false);
        }
        catch (RollingUpdateInProgressException e)
        {
            _tracker.Enter(RollingUpdatePhase.Failed, $"refused: update {e.RunningUpdateId} by {e.Holder} is running");
            throw;
        }

        var deployment = await _api.ReadDeploymentAsync(_ns, _name, deadline, cancellationToken).ConfigureAwait(false)
            ?? throw new RollingUpdateRefusedException(_ns, _name, [$"Deployment {_ns}/{_name} was deleted during validation."]);
        if (_options.RestoreConfigurationOnRollback)
        {
            _snapshot = await ConfigurationSnapshot.TakeAsync(_api, _ns, deployment.Spec.Template, deadline, cancellationToken).ConfigureAwait(false);
            _tracker.Note($"snapshotted {_snapshot.Count} ConfigMap(s)/Secret(s) the pod template references");
        }

        if (_options.BeforeUpdate is { } before)
        {
            try
            {
                await before(_kubernetes, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // Nothing of the template changed yet; put back what the hook may have half-written, then report.
                await RestoreConfigurationAsync(_time.GetUtcNow() + _options.RollbackTimeout, CancellationToken.None).ConfigureAwait(false);
                _tracker.Enter(RollingUpdatePhase.Failed, $"BeforeUpdate failed: {e.Message}; configuration restored, template unchanged");
                throw;
            }
        }

        _plan = plan;
        await WriteTemplateAsync(plan, deadline, cancellationToken).ConfigureAwait(false);
        return plan;
    }

    /// <summary>
    /// The key of an image map that means "the Deployment's only container" (an empty name, which the public overloads
    /// refuse): resolved from the Deployment the run reads, so the lookup is part of the recorded update.
    /// </summary>
    internal const string OnlyContainer = "";

    private void ResolveOnlyContainer(V1Deployment deployment, string image)
    {
        var containers = deployment.Spec.Template?.Spec?.Containers ?? [];
        if (containers.Count != 1)
        {
            var problem = $"Deployment {_ns}/{_name} has {containers.Count} containers ({string.Join(", ", containers.Select(c => c.Name))}); name the container(s) with the image map overload.";
            RollingUpdateLog.Refused(_logger, _ns, _name, problem);
            _tracker.Enter(RollingUpdatePhase.Failed, "refused: " + problem);
            throw new RollingUpdateRefusedException(_ns, _name, [problem]);
        }

        _images = new SortedDictionary<string, string>(StringComparer.Ordinal) { [containers[0].Name] = image };
        _tracker.Set(s => s with { Images = _images });
    }

    private async Task<UpdateValidator.Plan> ValidateAsync(DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var budgetDeadline = _time.GetUtcNow() + _options.DisruptionBudgetWait;
        while (true)
        {
            if (await _locks.HeldAsync(_ns, _name, _isFinished, deadline, cancellationToken).ConfigureAwait(false) is { } held && held.UpdateId != _tracker.Id)
            {
                _tracker.Enter(RollingUpdatePhase.Failed, $"refused: update {held.UpdateId} by {held.Holder} is running");
                throw new RollingUpdateInProgressException(_ns, _name, held.UpdateId, held.Holder, held.ExpiresAt);
            }

            var deployment = await _api.ReadDeploymentAsync(_ns, _name, deadline, cancellationToken).ConfigureAwait(false);
            if (deployment is not null && _images.TryGetValue(OnlyContainer, out var onlyImage))
            {
                ResolveOnlyContainer(deployment, onlyImage);
            }

            var replicaSets = deployment is null ? [] : await _api.ReplicaSetsAsync(deployment, deadline, cancellationToken).ConfigureAwait(false);
            var budgets = deployment is null ? [] : await DisruptionBudgets.ReadAsync(_api, deployment, deadline, cancellationToken).ConfigureAwait(false);
            var plan = UpdateValidator.Validate(_ns, _name, deployment, replicaSets, _images, _options, budgets);
            var blockedByBudget = !plan.Validation.IsValid && plan.Validation.Problems.All(p => p.StartsWith("PodDisruptionBudget ", StringComparison.Ordinal));
            if (!blockedByBudget || _time.GetUtcNow() >= budgetDeadline)
            {
                return plan;
            }

            // A budget at its limit may free up as pods become healthy: wait for it, within DisruptionBudgetWait.
            _tracker.Note("waiting for a PodDisruptionBudget: " + plan.Validation.Problems[0]);
            await Task.Delay(_options.PollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One optimistic-concurrency update (under the lock): new images, strategy and change-cause, or nothing.</summary>
    private async Task WriteTemplateAsync(UpdateValidator.Plan plan, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var deployment = await _api.ReadDeploymentAsync(_ns, _name, deadline, cancellationToken).ConfigureAwait(false)
                ?? throw new RollingUpdateRefusedException(_ns, _name, [$"Deployment {_ns}/{_name} was deleted before the update started."]);

            foreach (var container in (deployment.Spec.Template.Spec.Containers ?? []).Concat(deployment.Spec.Template.Spec.InitContainers ?? []))
            {
                if (_images.TryGetValue(container.Name, out var image))
                {
                    container.Image = image;
                }
            }

            var (surge, unavailable) = _options.Canary ? ((IntOrString)1, (IntOrString)0) : (plan.Surge, plan.Unavailable);
            deployment.Spec.Strategy = new V1DeploymentStrategy
            {
                Type = "RollingUpdate",
                RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = surge, MaxUnavailable = unavailable },
            };
            deployment.Metadata.Annotations ??= new Dictionary<string, string>();
            deployment.Metadata.Annotations[RollingUpdateManager.ChangeCauseAnnotation] = _options.ChangeCause ?? $"RoostKeeper.Ha: set image {ImagesText()}";
            // Earlier versions kept the lock in this annotation, which ReplicaSets and kubectl rollout undo copy
            // around; it means nothing now, and is dropped so it does not spread further.
            deployment.Metadata.Annotations.Remove(RollingUpdateManager.LockAnnotation);
            try
            {
                _templateWriteSent = true;
                await _api.CallAsync("update deployment", ct => _kubernetes.AppsV1.ReplaceNamespacedDeploymentAsync(deployment, _name, _ns, cancellationToken: ct), deadline, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (Exception e) when (KubernetesApiErrors.Classify(e) == ApiErrorKind.Conflict && attempt < 5 && !cancellationToken.IsCancellationRequested)
            {
                // Someone wrote the Deployment since it was read (the controller's status, another tool), or an
                // earlier attempt of ours was stored but its answer was lost (409 on our stale resourceVersion):
                // read again (under our lock) and make the same write on top of it.
            }
            catch (Exception e) when (KubernetesApiErrors.IsApiOrNetwork(e) && KubernetesApiErrors.Classify(e) != ApiErrorKind.Conflict)
            {
                if (!await WriteLandedAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw;
                }

                // The answer was lost but the write was stored (the template runs our images): the update goes on.
                RollingUpdateLog.ApiRetry(_logger, _tracker.Id, "update deployment", $"answer lost ({KubernetesApiErrors.Describe(e)}), but the template was written");
                break;
            }
        }

        _templateWritten = true;
        _metrics.Started.Add(1, Tags);
        RollingUpdateLog.Started(_logger, _tracker.Id, _ns, _name, ImagesText(), _previousRevision);
        _tracker.Enter(RollingUpdatePhase.Updating, $"set image {ImagesText()} (maxSurge {(_options.Canary ? 1 : plan.MaxSurge)}, maxUnavailable {(_options.Canary ? 0 : plan.MaxUnavailable)}{(_options.Canary ? ", canary" : "")}); following the rollout");
    }

    /// <summary>
    /// Whether a template write whose answer was lost was stored: the template runs this update's images (it did
    /// not before, or validation would have found nothing to roll out; and under the lock no other update of ours
    /// writes them). False when that cannot be read either.
    /// </summary>
    private async Task<bool> WriteLandedAsync(CancellationToken cancellationToken)
    {
        try
        {
            var deadline = _time.GetUtcNow() + (_options.RollbackTimeout < TimeSpan.FromSeconds(30) ? _options.RollbackTimeout : TimeSpan.FromSeconds(30));
            var deployment = await _api.ReadDeploymentAsync(_ns, _name, deadline, cancellationToken).ConfigureAwait(false);
            var containers = (deployment?.Spec?.Template?.Spec?.Containers ?? []).Concat(deployment?.Spec?.Template?.Spec?.InitContainers ?? []).ToList();
            return deployment is not null && _images.All(p => containers.Any(c => c.Name == p.Key && c.Image == p.Value));
        }
        catch (Exception e) when (KubernetesApiErrors.IsApiOrNetwork(e))
        {
            return false;
        }
    }

    private string ImagesText() => string.Join(", ", _images.Select(p => $"{p.Key}={p.Value}"));
}
