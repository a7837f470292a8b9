using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>
/// <c>kubectl rollout undo</c> (DeploymentRollbacker in k8s.io/kubectl polymorphichelpers/rollback.go): take the
/// pod template of the ReplicaSet that carries the wanted revision, drop its pod-template-hash label, and write it to
/// the Deployment with one JSON patch that replaces spec.template and metadata.annotations (the Deployment's own
/// revision bookkeeping kept, everything else from the ReplicaSet, which is how the old change-cause comes back).
/// Two differences, both because the update itself made them: a Deployment this update paused (canary hold) is
/// resumed in the same patch where kubectl would refuse, and the lock annotation of earlier versions
/// (<see cref="RollingUpdateManager.LockAnnotation"/>) is never copied back from a ReplicaSet.
/// </summary>
internal static class DeploymentRollback
{
    /// <summary>kubectl's annotationsToSkip: kept from the Deployment, never copied from the ReplicaSet.</summary>
    private static readonly string[] AnnotationsToSkip =
    [
        "kubectl.kubernetes.io/last-applied-configuration",
        RolloutStatusEvaluator.RevisionAnnotation,
        "deployment.kubernetes.io/revision-history",
        "deployment.kubernetes.io/desired-replicas",
        "deployment.kubernetes.io/max-replicas",
        "deprecated.deployment.rollback.to",
        RollingUpdateManager.LockAnnotation,
    ];

    /// <summary>The rollback patch, or null when the Deployment already runs that template (kubectl's "skipped rollback").</summary>
    public static V1Patch? BuildPatch(V1Deployment deployment, V1ReplicaSet target)
    {
        if (PodTemplates.EqualIgnoringHash(target.Spec.Template, deployment.Spec.Template) && deployment.Spec.Paused != true)
        {
            return null;
        }

        var template = PodTemplates.WithoutHash(target.Spec.Template);
        var annotations = new JsonObject();
        foreach (var key in AnnotationsToSkip)
        {
            if (deployment.Metadata.Annotations?.TryGetValue(key, out var value) == true)
            {
                annotations[key] = value;
            }
        }

        foreach (var (key, value) in target.Metadata.Annotations ?? new Dictionary<string, string>())
        {
            if (!AnnotationsToSkip.Contains(key, StringComparer.Ordinal))
            {
                annotations[key] = value;
            }
        }

        var operations = new JsonArray
        {
            new JsonObject { ["op"] = "replace", ["path"] = "/spec/template", ["value"] = JsonNode.Parse(KubernetesJson.Serialize(template)) },
            new JsonObject { ["op"] = "replace", ["path"] = "/metadata/annotations", ["value"] = annotations },
        };
        if (deployment.Spec.Paused == true)
        {
            operations.Add(new JsonObject { ["op"] = "replace", ["path"] = "/spec/paused", ["value"] = false });
        }

        return new V1Patch(operations.ToJsonString(), V1Patch.PatchType.JsonPatch);
    }

    /// <summary>kubectl's deploymentRevision: the ReplicaSet with revision <paramref name="revision"/>, or the second newest for 0.</summary>
    public static V1ReplicaSet? FindRevision(IEnumerable<V1ReplicaSet> replicaSets, long revision)
    {
        var ordered = replicaSets
            .Select(rs => (Set: rs, Revision: RolloutStatusEvaluator.Revision(rs.Metadata)))
            .Where(x => x.Revision > 0)
            .OrderByDescending(x => x.Revision)
            .ToList();
        return revision > 0
            ? ordered.FirstOrDefault(x => x.Revision == revision).Set
            : ordered.Skip(1).FirstOrDefault().Set;
    }
}
