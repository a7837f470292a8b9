using System.Globalization;
using k8s.Models;

namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>
/// kubectl's <c>rollout status</c> rules (DeploymentStatusViewer in k8s.io/kubectl polymorphichelpers), applied to a
/// Deployment and, when given, its ReplicaSets. Pure: it reads what it is handed and calls nothing, so every rule is
/// testable in isolation and the manager and the benchmark's kubectl model judge a rollout identically.
/// <para>
/// The rules, in kubectl's order, once the controller has observed the latest generation: the Progressing condition
/// with reason ProgressDeadlineExceeded is a failure; fewer updated replicas than desired, more replicas than updated
/// ones (old pods pending termination) or fewer available than updated replicas is still waiting; otherwise the
/// rollout is complete. One addition: with the ReplicaSets at hand, an old ReplicaSet that still reports pods also
/// counts as old replicas pending termination, which catches a Deployment status written before its last scale-down.
/// </para>
/// </summary>
internal static class RolloutStatusEvaluator
{
    /// <summary>The annotation that carries a Deployment's and each ReplicaSet's revision.</summary>
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";

    /// <summary>kubectl's TimedOutReason for the Progressing condition.</summary>
    public const string TimedOutReason = "ProgressDeadlineExceeded";

    /// <summary>Judges the rollout of <paramref name="deployment"/>.</summary>
    /// <param name="deployment">The Deployment as last read.</param>
    /// <param name="replicaSets">Its ReplicaSets (any order), or null to judge on the Deployment's status alone as kubectl does.</param>
    /// <param name="expectedRevision">The revision the caller waits for (kubectl's <c>--revision</c>), or 0 for any.</param>
    public static RolloutStatusReport Evaluate(V1Deployment deployment, IEnumerable<V1ReplicaSet>? replicaSets = null, long expectedRevision = 0)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        var name = deployment.Metadata?.Name ?? "";
        var desired = deployment.Spec?.Replicas ?? 1;
        var status = deployment.Status;
        var replicas = status?.Replicas ?? 0;
        var updated = status?.UpdatedReplicas ?? 0;
        var ready = status?.ReadyReplicas ?? 0;
        var available = status?.AvailableReplicas ?? 0;
        var revision = Revision(deployment.Metadata);

        var sets = replicaSets?.ToList();
        var newSet = sets is null ? null : FindNewReplicaSet(deployment, sets);
        var oldPods = sets is null ? 0 : sets.Where(rs => rs != newSet).Sum(rs => rs.Status?.Replicas ?? 0);

        RolloutStatusReport Report(RolloutState state, string message) => new(state, message, desired, replicas, updated, ready, available, revision, newSet);

        if (expectedRevision > 0 && revision != expectedRevision)
        {
            return Report(RolloutState.RevisionChanged, $"desired revision ({expectedRevision}) is different from the running revision ({revision})");
        }

        if ((deployment.Metadata?.Generation ?? 0) > (status?.ObservedGeneration ?? 0))
        {
            return Report(RolloutState.Waiting, "Waiting for deployment spec update to be observed...");
        }

        var progressing = status?.Conditions?.FirstOrDefault(c => c.Type == "Progressing");
        if (progressing?.Reason == TimedOutReason)
        {
            return Report(RolloutState.DeadlineExceeded, $"deployment \"{name}\" exceeded its progress deadline");
        }

        if (updated < desired)
        {
            return Report(RolloutState.Waiting, $"Waiting for deployment \"{name}\" rollout to finish: {updated} out of {desired} new replicas have been updated...");
        }

        if (replicas > updated || oldPods > 0)
        {
            var pending = Math.Max(replicas - updated, oldPods);
            return Report(RolloutState.Waiting, $"Waiting for deployment \"{name}\" rollout to finish: {pending} old replicas are pending termination...");
        }

        if (available < updated)
        {
            return Report(RolloutState.Waiting, $"Waiting for deployment \"{name}\" rollout to finish: {available} of {updated} updated replicas are available...");
        }

        return Report(RolloutState.Complete, $"deployment \"{name}\" successfully rolled out");
    }

    /// <summary>
    /// The ReplicaSet whose template equals the Deployment's apart from pod-template-hash (the Deployment controller's
    /// and kubectl's rule); the oldest one when there are several.
    /// </summary>
    public static V1ReplicaSet? FindNewReplicaSet(V1Deployment deployment, IEnumerable<V1ReplicaSet> replicaSets)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentNullException.ThrowIfNull(replicaSets);
        return replicaSets
            .Where(rs => PodTemplates.EqualIgnoringHash(rs.Spec?.Template, deployment.Spec?.Template))
            .OrderBy(rs => rs.Metadata?.CreationTimestamp ?? DateTime.MinValue)
            .ThenBy(rs => rs.Metadata?.Name, StringComparer.Ordinal)
            .FirstOrDefault();
    }

    /// <summary>The revision annotation of an object, or 0 when it has none (kubectl's deploymentutil.Revision).</summary>
    public static long Revision(V1ObjectMeta? metadata) =>
        metadata?.Annotations is { } annotations && annotations.TryGetValue(RevisionAnnotation, out var text)
            && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var revision)
            ? revision
            : 0;
}
