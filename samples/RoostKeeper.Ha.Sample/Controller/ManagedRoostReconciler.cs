using System.Globalization;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using RoostKeeper.Ha.Diagnostics;
using RoostKeeper.Ha.Fencing;
using RoostKeeper.Ha.KubernetesApi;

namespace RoostKeeper.Ha.Sample.Controller;

/// <summary>
/// Brings every ManagedRoost of one namespace to its desired state: a ConfigMap "roost-{name}" holding the
/// roost's settings, and a status with a Ready condition. Run only by the leader, under its term.
/// </summary>
/// <remarks>
/// Fencing with the library's <see cref="TermFence"/>: every write carries the writer's term (the ConfigMap's
/// <see cref="TermFence.DefaultAnnotation"/> stamp, the roost's <c>status.term</c> and <c>status.leader</c>, since
/// the status subresource ignores metadata) and is conditional on the resourceVersion that was read, so a replica
/// whose term is over (a paused ex-leader) can neither overwrite a newer term's object it read (refused by the
/// fence) nor one that changed after it read it (409 from the server). Each reconcile is recorded with
/// <see cref="ReconcileRecorder"/>.
/// </remarks>
internal sealed class ManagedRoostReconciler(IKubernetes client, string @namespace, ReconcileRecorder recorder, TimeProvider time, ILogger logger)
{
    public const string ControllerName = "managedroost";
    public const string RoostLabel = "roost.birb.party/roost";
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ManagedByValue = "roost-keeper-sample";
    public const string ReadyCondition = "Ready";

    public string Namespace { get; } = @namespace;

    /// <summary>Fault injection (<see cref="ManagedRoostControllerOptions.WriteDelay"/>): zero for none.</summary>
    public TimeSpan WriteDelay { get; init; }

    public static string ConfigMapName(string roost) => "roost-" + roost;

    /// <summary>Lists the roosts and their ConfigMaps once, reconciles each roost and deletes ConfigMaps whose roost is gone.</summary>
    /// <exception cref="StaleTermException">An object carries a newer term: this replica's term is over.</exception>
    /// <exception cref="HttpOperationException">Listing failed (nothing was reconciled, nothing recorded).</exception>
    public async Task<IReadOnlyList<ReconcileOutcome>> ResyncAsync(TermFence fence, CancellationToken cancellationToken)
    {
        var roosts = await client.CustomObjects.ListNamespacedCustomObjectAsync<ManagedRoostList>(
            ManagedRoost.Group, ManagedRoost.Version, Namespace, ManagedRoost.Plural, cancellationToken: cancellationToken);
        var maps = await client.CoreV1.ListNamespacedConfigMapAsync(Namespace, labelSelector: $"{ManagedByLabel}={ManagedByValue}", cancellationToken: cancellationToken);
        var mapsByName = maps.Items.ToDictionary(m => m.Metadata.Name, StringComparer.Ordinal);

        var outcomes = new List<ReconcileOutcome>();
        foreach (var roost in roosts.Items)
        {
            outcomes.Add(await ReconcileAsync(roost, mapsByName.GetValueOrDefault(ConfigMapName(roost.Metadata.Name)), fence, cancellationToken));
        }

        var names = roosts.Items.Select(r => r.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var orphan in maps.Items.Where(m => m.Metadata.Labels?.TryGetValue(RoostLabel, out var roost) == true && !names.Contains(roost)))
        {
            await DeleteOrphanAsync(orphan, fence, cancellationToken);
        }

        return outcomes;
    }

    /// <summary>Reconciles one roost, given its ConfigMap as listed (null when there is none).</summary>
    /// <exception cref="StaleTermException">The roost or its ConfigMap carries a newer term; nothing was written.</exception>
    public async Task<ReconcileOutcome> ReconcileAsync(ManagedRoost roost, V1ConfigMap? existing, TermFence fence, CancellationToken cancellationToken)
    {
        var name = roost.Metadata.Name;
        var measurement = recorder.Start(ControllerName);
        try
        {
            CheckRoost(roost, fence);
            var detail = await EnsureConfigMapAsync(roost, existing, fence, cancellationToken);
            var written = await WriteStatusAsync(roost, Ready(roost, fence), cancellationToken);
            measurement.Complete(ReconcileResult.Success);
            var outcome = new ReconcileOutcome(name, ReconcileResult.Success, written ? detail + "; status written" : detail);
            if (written || detail != "ConfigMap up to date")
            {
                ControllerLog.Reconciled(logger, Namespace, name, fence.Stamp.Term, outcome.Detail);
            }

            return outcome;
        }
        catch (StaleTermException e)
        {
            // Not a failure of the roost: a newer leader owns it. The caller ends this replica's reconciling.
            measurement.Complete(ReconcileResult.Requeue);
            ControllerLog.Fenced(logger, e.Message);
            throw;
        }
        catch (InvalidTermStampException e)
        {
            // The fence cannot order the stamp it found: fail closed for this roost (nothing written, not even
            // an Error status, which would overwrite the stamp) and say what to do; the other roosts go on.
            measurement.Complete(ReconcileResult.Error);
            ControllerLog.ReconcileFailed(logger, Namespace, name, e.Message, null);
            return new ReconcileOutcome(name, ReconcileResult.Error, e.Message);
        }
        catch (Exception e) when (KubernetesApiErrors.Classify(e) == ApiErrorKind.Conflict)
        {
            // A conditional write lost: the object changed after it was read. The next resync reads it again.
            measurement.Complete(ReconcileResult.Requeue);
            ControllerLog.ChangedWhileReconciling(logger, Namespace, name, fence.Stamp.Term, KubernetesApiErrors.Describe(e));
            return new ReconcileOutcome(name, ReconcileResult.Requeue, "changed while reconciling; reconciled again at the next resync");
        }
        catch (HttpOperationException e) when (KubernetesApiErrors.Classify(e) == ApiErrorKind.NotFound && e.Response.Content?.Contains(ManagedRoost.Plural, StringComparison.Ordinal) == true)
        {
            // The roost was deleted after it was listed: nothing to do; the next resync sweeps its ConfigMap.
            measurement.Complete(ReconcileResult.Requeue);
            return new ReconcileOutcome(name, ReconcileResult.Requeue, "deleted while reconciling");
        }
        catch (ConfigMapConflictException e)
        {
            measurement.Complete(ReconcileResult.Error);
            ControllerLog.ReconcileFailed(logger, Namespace, name, e.Message, null);
            await TryWriteFailureAsync(roost, "ConfigMapConflict", e.Message, fence, cancellationToken);
            return new ReconcileOutcome(name, ReconcileResult.Error, e.Message);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && KubernetesApiErrors.IsApiOrNetwork(e))
        {
            measurement.Complete(ReconcileResult.Error);
            var message = KubernetesApiErrors.Describe(e);
            ControllerLog.ReconcileFailed(logger, Namespace, name, message, e);
            await TryWriteFailureAsync(roost, "ApiError", message, fence, cancellationToken);
            return new ReconcileOutcome(name, ReconcileResult.Error, message);
        }
        catch (OperationCanceledException)
        {
            // The term ended mid-reconcile: nothing to count; the next leader reconciles the roost.
            throw;
        }
        catch (Exception)
        {
            measurement.Complete(ReconcileResult.Error);
            throw;
        }
    }

    /// <summary>
    /// Refuses to reconcile a roost whose status was written in a newer term. The status subresource ignores
    /// metadata, so the roost's stamp is its status.term and status.leader, checked with the fence's read helper.
    /// </summary>
    /// <exception cref="StaleTermException">It was.</exception>
    /// <exception cref="InvalidTermStampException">Its status carries a term without a leader, or a negative one.</exception>
    public void CheckRoost(ManagedRoost roost, TermFence fence)
    {
        if (roost.Status?.Term is { } term)
        {
            fence.CheckValue($"{ManagedRoost.KindName} {Namespace}/{roost.Metadata.Name}",
                string.Create(CultureInfo.InvariantCulture, $"{term}/{fence.Stamp.LeaseNamespace}/{fence.Stamp.LeaseName}/{roost.Status.Leader}"));
        }
    }

    private async Task<string> EnsureConfigMapAsync(ManagedRoost roost, V1ConfigMap? existing, TermFence fence, CancellationToken cancellationToken)
    {
        var name = ConfigMapName(roost.Metadata.Name);
        var data = DesiredData(roost);
        if (existing is null)
        {
            try
            {
                await fence.CreateAsync(DesiredConfigMap(roost, data), (m, ct) => client.CoreV1.CreateNamespacedConfigMapAsync(m, Namespace, cancellationToken: ct), cancellationToken);
                return $"ConfigMap {name} created";
            }
            catch (Exception e) when (KubernetesApiErrors.Classify(e) == ApiErrorKind.Conflict)
            {
                // It exists but was not listed with our label: someone else's ConfigMap has the name we need.
                throw new ConfigMapConflictException($"ConfigMap {Namespace}/{name} exists and is not managed by this controller (no label {ManagedByLabel}={ManagedByValue}); rename or delete it, or rename the ManagedRoost.");
            }
        }

        fence.Check(existing);
        if (SameData(existing.Data, data) && existing.Metadata.Annotations?.TryGetValue(fence.Annotation, out var stamp) == true && stamp == fence.Stamp.ToString())
        {
            return "ConfigMap up to date";
        }

        if (WriteDelay > TimeSpan.Zero)
        {
            // Fault injection: the last check of the term's token, then a window between the read and the write
            // that a pause (SIGSTOP, a long GC) can land in. The write that follows is sent whatever the token says,
            // as one already on its way would be: only the fence can stop it now.
            cancellationToken.ThrowIfCancellationRequested();
            ControllerLog.HoldingWrite(logger, Namespace, name, fence.Stamp.Term, WriteDelay, $"{ManagedRoostControllerOptions.SectionName}:{nameof(WriteDelay)}");
            await Task.Delay(WriteDelay, time, CancellationToken.None);
            cancellationToken = CancellationToken.None;
        }

        // The fence stamps this term and sends the resourceVersion that was listed: a 409 means someone wrote
        // since (a newer term, after a pause), and the next resync re-reads.
        existing.Data = data;
        await fence.ReplaceAsync(existing, (m, ct) => client.CoreV1.ReplaceNamespacedConfigMapAsync(m, name, Namespace, cancellationToken: ct), cancellationToken);
        return $"ConfigMap {name} updated";
    }

    /// <summary>Writes the status when it differs from what the roost has; true when it wrote.</summary>
    private async Task<bool> WriteStatusAsync(ManagedRoost roost, ManagedRoostStatus status, CancellationToken cancellationToken)
    {
        if (SameStatus(roost.Status, status))
        {
            return false;
        }

        // Keep a condition's lastTransitionTime while its status does not change (API conventions).
        var previous = roost.Status?.Conditions?.FirstOrDefault(c => c.Type == ReadyCondition);
        if (previous is not null && status.Conditions is [var ready] && previous.Status == ready.Status)
        {
            status.Conditions = [ready with { LastTransitionTime = previous.LastTransitionTime }];
        }

        roost.Status = status;

        // The status subresource replace is conditional on the resourceVersion listed (a 409 is re-read next resync).
        await client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync<ManagedRoost>(
            roost, ManagedRoost.Group, ManagedRoost.Version, Namespace, ManagedRoost.Plural, roost.Metadata.Name, cancellationToken: cancellationToken);
        return true;
    }

    private async Task TryWriteFailureAsync(ManagedRoost roost, string reason, string message, TermFence fence, CancellationToken cancellationToken)
    {
        try
        {
            await WriteStatusAsync(roost, Status(roost, fence, "Error", "False", reason, message), cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && KubernetesApiErrors.IsApiOrNetwork(e))
        {
            // The API is what failed; the failure is already recorded and logged, and the next resync retries.
            ControllerLog.ReconcileFailed(logger, Namespace, roost.Metadata.Name, "could not write the Error status either: " + KubernetesApiErrors.Describe(e), null);
        }
    }

    /// <summary>Deletes a ConfigMap whose roost is gone, fenced and preconditioned on the resourceVersion listed.</summary>
    /// <exception cref="StaleTermException">It carries a newer term; nothing was deleted.</exception>
    public async Task DeleteOrphanAsync(V1ConfigMap map, TermFence fence, CancellationToken cancellationToken)
    {
        // Checked by the fence and preconditioned on the listed resourceVersion, like every other write.
        var options = fence.DeleteOptions(map);
        try
        {
            await client.CoreV1.DeleteNamespacedConfigMapAsync(map.Metadata.Name, Namespace, options, cancellationToken: cancellationToken);
            ControllerLog.OrphanDeleted(logger, Namespace, map.Metadata.Name);
        }
        catch (Exception e) when (KubernetesApiErrors.Classify(e) is ApiErrorKind.NotFound or ApiErrorKind.Conflict)
        {
            // Already gone, or changed since the list: the next resync decides again.
        }
    }

    private ManagedRoostStatus Ready(ManagedRoost roost, TermFence fence) =>
        Status(roost, fence, "Ready", "True", "Reconciled", $"ConfigMap {ConfigMapName(roost.Metadata.Name)} holds the roost's settings");

    private ManagedRoostStatus Status(ManagedRoost roost, TermFence fence, string phase, string conditionStatus, string reason, string message) => new()
    {
        Phase = phase,
        ObservedGeneration = roost.Metadata.Generation,
        ConfigMap = ConfigMapName(roost.Metadata.Name),
        Leader = fence.Stamp.Holder,
        Term = fence.Stamp.Term,
        Conditions =
        [
            new ManagedRoostCondition
            {
                Type = ReadyCondition,
                Status = conditionStatus,
                Reason = reason,
                Message = message,
                ObservedGeneration = roost.Metadata.Generation,
                LastTransitionTime = time.GetUtcNow(),
            },
        ],
    };

    private static Dictionary<string, string> DesiredData(ManagedRoost roost) => new(StringComparer.Ordinal)
    {
        ["species"] = roost.Spec.Species,
        ["size"] = (roost.Spec.Size ?? 3).ToString(CultureInfo.InvariantCulture),
        ["song"] = roost.Spec.Song ?? "",
    };

    private V1ConfigMap DesiredConfigMap(ManagedRoost roost, Dictionary<string, string> data) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = ConfigMapName(roost.Metadata.Name),
            NamespaceProperty = Namespace,
            Labels = new Dictionary<string, string> { [ManagedByLabel] = ManagedByValue, [RoostLabel] = roost.Metadata.Name },

            // On a real cluster the garbage collector deletes the ConfigMap with its roost; the resync's orphan
            // sweep does the same where there is no garbage collector (SimulatedCluster).
            OwnerReferences = roost.Metadata.Uid is { } uid
                ? [new V1OwnerReference { ApiVersion = roost.ApiVersion, Kind = ManagedRoost.KindName, Name = roost.Metadata.Name, Uid = uid, Controller = true, BlockOwnerDeletion = false }]
                : null,
        },
        Data = data,
    };

    private static bool SameData(IDictionary<string, string>? actual, Dictionary<string, string> desired) =>
        actual is not null && actual.Count == desired.Count && desired.All(d => actual.TryGetValue(d.Key, out var v) && v == d.Value);

    private static bool SameStatus(ManagedRoostStatus? actual, ManagedRoostStatus desired)
    {
        if (actual is null || actual.Phase != desired.Phase || actual.ObservedGeneration != desired.ObservedGeneration || actual.ConfigMap != desired.ConfigMap
            || actual.Leader != desired.Leader || actual.Term != desired.Term)
        {
            return false;
        }

        var a = actual.Conditions?.FirstOrDefault(c => c.Type == ReadyCondition);
        var d = desired.Conditions![0];
        return a is not null && a.Status == d.Status && a.Reason == d.Reason && a.Message == d.Message && a.ObservedGeneration == d.ObservedGeneration;
    }

    /// <summary>The ConfigMap name the roost needs belongs to someone else.</summary>
    private sealed class ConfigMapConflictException(string message) : Exception(message);
}
