using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Controllers;

/// <summary>progress.go and the status: replica counts, the Available and Progressing conditions and the progress deadline.</summary>
internal sealed partial class DeploymentController
{
    private static bool HasProgressDeadline(JsonObject deployment) =>
        JsonFields.Long(deployment["spec"]?["progressDeadlineSeconds"]) is { } seconds && seconds < int.MaxValue;

    private static DeploymentCounts Calculate(JsonObject deployment, List<ReplicaSetView> all, ReplicaSetView? newRs)
    {
        var available = all.Sum(rs => rs.Available);
        return new DeploymentCounts(
            Replicas: all.Sum(rs => rs.ObservedPods),
            Updated: newRs?.ObservedPods ?? 0,
            Ready: all.Sum(rs => rs.Ready),
            Available: available,
            Unavailable: Math.Max(0, all.Sum(rs => rs.Spec) - available),
            ObservedGeneration: ObjectMeta.Generation(deployment));
    }

    private static bool IsComplete(JsonObject deployment, DeploymentCounts counts)
    {
        var replicas = Replicas(deployment);
        return counts.Updated == replicas && counts.Replicas == replicas && counts.Available == replicas
            && counts.ObservedGeneration >= ObjectMeta.Generation(deployment);
    }

    private TimeSpan? WriteStatus(JsonObject deployment, JsonObject working, List<ReplicaSetView> all, ReplicaSetView? newRs, DateTimeOffset now, bool trackProgress)
    {
        var counts = Calculate(deployment, all, newRs);
        var status = (JsonObject)working["status"]!;
        status["observedGeneration"] = counts.ObservedGeneration;
        status["replicas"] = counts.Replicas;
        status["updatedReplicas"] = counts.Updated;
        status["readyReplicas"] = counts.Ready;
        status["availableReplicas"] = counts.Available;
        status["unavailableReplicas"] = counts.Unavailable;

        if (counts.Available >= Replicas(deployment) - MaxUnavailable(deployment))
        {
            StatusConditions.Set(working, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", now, withUpdateTime: true);
        }
        else
        {
            StatusConditions.Set(working, "Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", now, withUpdateTime: true);
        }

        TimeSpan? again = null;
        if (trackProgress)
        {
            again = TrackProgress(deployment, working, counts, newRs, now);
        }

        OrderConditions(status);
        _store.Mutate(ResourceRegistry.Deployments, ObjectMeta.Namespace(deployment), ObjectMeta.Name(deployment), d =>
        {
            if (ObjectMeta.Uid(d) == ObjectMeta.Uid(deployment))
            {
                d["status"] = status.DeepClone();
            }
        }, statusOnly: true);
        return again;
    }

    /// <summary>syncRolloutStatus: the Progressing condition, and when to come back to judge the deadline.</summary>
    private static TimeSpan? TrackProgress(JsonObject deployment, JsonObject working, DeploymentCounts counts, ReplicaSetView? newRs, DateTimeOffset now)
    {
        if (!HasProgressDeadline(deployment))
        {
            (working["status"]!["conditions"] as JsonArray)?.Remove(StatusConditions.Find(working, "Progressing"));
            return null;
        }

        var complete = IsComplete(deployment, counts);
        var deadline = TimeSpan.FromSeconds(JsonFields.Long(deployment["spec"]?["progressDeadlineSeconds"]) ?? 600);
        if (complete && newRs is not null)
        {
            StatusConditions.Set(working, "Progressing", "True", "NewReplicaSetAvailable", $"ReplicaSet \"{newRs.Name}\" has successfully progressed.", now, withUpdateTime: true);
            return null;
        }

        if (IsProgressing(deployment, counts))
        {
            var message = newRs is null ? "Deployment is progressing." : $"ReplicaSet \"{newRs.Name}\" is progressing.";
            StatusConditions.Set(working, "Progressing", "True", "ReplicaSetUpdated", message, now, withUpdateTime: true, refresh: true);
        }
        else if (TimedOut(working, deadline, now))
        {
            var message = newRs is null ? "Deployment has timed out progressing." : $"ReplicaSet \"{newRs.Name}\" has timed out progressing.";
            StatusConditions.Set(working, "Progressing", "False", "ProgressDeadlineExceeded", message, now, withUpdateTime: true);
        }

        var condition = StatusConditions.Find(working, "Progressing");
        if (condition is null || complete || JsonFields.String(condition["reason"]) is "ProgressDeadlineExceeded" or "NewReplicaSetAvailable")
        {
            return null;
        }

        // requeueStuckDeployment: come back when the deadline would pass (timestamps have second precision).
        var lastUpdate = JsonFields.Time(condition["lastUpdateTime"]) ?? now;
        var remaining = lastUpdate + deadline - now;
        return (remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero) + TimeSpan.FromMilliseconds(250);
    }

    private static bool IsProgressing(JsonObject deployment, DeploymentCounts counts)
    {
        var old = deployment["status"];
        var oldReplicas = JsonFields.Int(old?["replicas"], 0);
        var oldUpdated = JsonFields.Int(old?["updatedReplicas"], 0);
        return counts.Updated > oldUpdated
            || counts.Replicas - counts.Updated < oldReplicas - oldUpdated
            || counts.Ready > JsonFields.Int(old?["readyReplicas"], 0)
            || counts.Available > JsonFields.Int(old?["availableReplicas"], 0);
    }

    private static bool TimedOut(JsonObject working, TimeSpan deadline, DateTimeOffset now)
    {
        var condition = StatusConditions.Find(working, "Progressing");
        switch (JsonFields.String(condition?["reason"]))
        {
            case null or "NewReplicaSetAvailable":
                return false;
            case "ProgressDeadlineExceeded":
                return true;
            default:
                return JsonFields.Time(condition!["lastUpdateTime"]) is { } from && from + deadline < now;
        }
    }

    /// <summary>Available before Progressing, as kubectl shows them, so rewriting one does not reorder the list.</summary>
    private static void OrderConditions(JsonObject status)
    {
        if (status["conditions"] is not JsonArray conditions)
        {
            return;
        }

        var ordered = conditions.OfType<JsonObject>()
            .OrderBy(c => JsonFields.String(c["type"]) switch { "Available" => 0, "Progressing" => 1, _ => 2 })
            .Select(c => (JsonNode)c.DeepClone())
            .ToArray();
        status["conditions"] = new JsonArray(ordered);
    }
}
