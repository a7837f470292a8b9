using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using RoostKeeper.Ha.KubernetesApi;

namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>The rollback and the clean-up of <see cref="UpdateRun"/>.</summary>
internal sealed partial class UpdateRun
{
    /// <summary>
    /// Restores configuration, then the previous revision's template as <c>kubectl rollout undo</c> does, and waits
    /// until that template is complete and every replica available. Runs to the end even when the caller cancelled
    /// (bounded by RollbackTimeout): a half-done rollback is the one state worse than a failed update.
    /// </summary>
    private async Task<RollingUpdateStatus> RollBackAsync(RollingUpdateFailureKind kind, string reason)
    {
        _tracker.Enter(RollingUpdatePhase.RollingBack, $"{reason}; rolling back to revision {_previousRevision}", kind);
        using var bound = new CancellationTokenSource(_options.RollbackTimeout, _time);
        var deadline = _time.GetUtcNow() + _options.RollbackTimeout;
        try
        {
            await RestoreConfigurationAsync(deadline, bound.Token).ConfigureAwait(false);
            var deployment = await _api.ReadDeploymentAsync(_ns, _name, deadline, bound.Token).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"deployment {_ns}/{_name} no longer exists");
            var replicaSets = await _api.ReplicaSetsAsync(deployment, deadline, bound.Token).ConfigureAwait(false);
            var target = DeploymentRollback.FindRevision(replicaSets, _previousRevision)
                ?? throw new InvalidOperationException($"no ReplicaSet of revision {_previousRevision} is left to roll back to (is revisionHistoryLimit 0?)");
            if (DeploymentRollback.BuildPatch(deployment, target) is { } patch)
            {
                await _api.CallAsync("roll back deployment", ct => _kubernetes.AppsV1.PatchNamespacedDeploymentAsync(patch, _name, _ns, cancellationToken: ct), deadline, bound.Token).ConfigureAwait(false);
                _tracker.Note($"restored the pod template of revision {_previousRevision} (ReplicaSet {target.Metadata.Name}), as kubectl rollout undo does; waiting for it to be available");
            }
            else
            {
                _tracker.Note($"the Deployment already has the template of revision {_previousRevision}; waiting for it to be available");
            }

            while (true)
            {
                var (current, report, _) = await ObserveAsync(deadline, isRollback: true, bound.Token).ConfigureAwait(false);
                if (current is null)
                {
                    throw new InvalidOperationException($"deployment {_ns}/{_name} was deleted during the rollback");
                }

                if (report.State == RolloutState.Complete && report.Available >= report.Desired
                    && PodTemplates.EqualIgnoringHash(current.Spec.Template, target.Spec.Template))
                {
                    _metrics.RolledBack.Add(1, WithFailure(kind));
                    RollingUpdateLog.RolledBack(_logger, _tracker.Id, _ns, _name, _previousRevision);
                    return _tracker.Enter(RollingUpdatePhase.RolledBack,
                        $"rolled back ({reason}): the template of revision {_previousRevision} is complete with {report.Available} of {report.Desired} replicas available");
                }

                await Task.Delay(_options.PollInterval, _time, bound.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not RollingUpdateFailedException)
        {
            var problem = e switch
            {
                OperationCanceledException => $"the rollback did not complete within {_options.RollbackTimeout}",
                _ when KubernetesApiErrors.IsApiOrNetwork(e) => $"the rollback failed: {KubernetesApiErrors.Describe(e)}",
                _ => $"the rollback failed: {e.Message}",
            };
            _metrics.Failed.Add(1, WithFailure(kind));
            var status = _tracker.Enter(RollingUpdatePhase.Failed, $"{reason}; {problem}", kind);
            RollingUpdateLog.Failed(_logger, _tracker.Id, _ns, _name, RollingUpdatePhase.Failed, status.Message, e);
            throw new RollingUpdateFailedException(status, $"Update {_tracker.Id} failed ({reason}) and {problem}.", e);
        }
    }

    private async Task RestoreConfigurationAsync(DateTimeOffset deadline, CancellationToken cancellationToken = default)
    {
        if (_snapshot is null)
        {
            return;
        }

        var restored = await _snapshot.RestoreAsync(_api, deadline, cancellationToken).ConfigureAwait(false);
        foreach (var item in restored)
        {
            var parts = item.Split(' ', 2);
            RollingUpdateLog.ConfigurationRestored(_logger, _tracker.Id, parts[0], _ns, parts[1]);
        }

        _tracker.Note(restored.Count == 0
            ? "configuration unchanged since the snapshot; nothing to restore"
            : $"restored {string.Join(", ", restored)} to their state before the update");
    }

    /// <summary>Deletes this update's lock Lease, if it is still this update's; a failure is logged, never thrown.</summary>
    private async Task ReleaseLockAsync()
    {
        if (_lock is null)
        {
            return;
        }

        // Bounded like the rollback (at most 30 s): an unreachable API must not hold the caller much past the outcome.
        var limit = _options.RollbackTimeout < TimeSpan.FromSeconds(30) ? _options.RollbackTimeout : TimeSpan.FromSeconds(30);
        using var bound = new CancellationTokenSource(limit, _time);
        try
        {
            await _locks.ReleaseAsync(_lock, _ns, _name, _time.GetUtcNow() + limit, bound.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (KubernetesApiErrors.IsApiOrNetwork(e))
        {
            // The lock expires on its own, and this manager ignores it at once (it knows the update finished).
            RollingUpdateLog.ApiRetry(_logger, _tracker.Id, $"release of the update lock (it expires at {_lock.ExpiresAt:u})", KubernetesApiErrors.Describe(e));
        }
    }
}
