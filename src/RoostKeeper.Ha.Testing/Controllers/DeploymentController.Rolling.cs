using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Testing.Controllers;

/// <summary>The RollingUpdate strategy, as the upstream controller's rolling.go does it: scale up within maxSurge, scale down within maxUnavailable.</summary>
internal sealed partial class DeploymentController
{
    private bool RolloutRolling(JsonObject deployment, ref ReplicaSetView? newRs, List<ReplicaSetView> olds, JsonObject working, DateTimeOffset now)
    {
        var replicas = Replicas(deployment);
        var (maxSurge, maxUnavailable) = Fenceposts(deployment);
        if (newRs is null)
        {
            newRs = CreateNewReplicaSet(deployment, olds, NewReplicaCount(replicas, maxSurge, olds, 0), working, now);
            if (newRs is null)
            {
                return true;
            }
        }

        // reconcileNewReplicaSet
        if (newRs.Spec > replicas)
        {
            Scale(deployment, newRs, replicas);
            return true;
        }

        if (newRs.Spec < replicas)
        {
            var target = NewReplicaCount(replicas, maxSurge, [.. olds, newRs], newRs.Spec);
            if (target != newRs.Spec)
            {
                Scale(deployment, newRs, target);
                return true;
            }
        }

        // reconcileOldReplicaSets
        var oldPods = olds.Sum(rs => rs.Spec);
        if (oldPods == 0)
        {
            return false;
        }

        var allPods = oldPods + newRs.Spec;
        var minAvailable = replicas - Math.Min(maxUnavailable, replicas);
        var newUnavailable = newRs.Spec - newRs.CountedAvailable;
        var maxScaledDown = allPods - minAvailable - newUnavailable;
        if (maxScaledDown <= 0)
        {
            return false;
        }

        var ordered = olds.OrderBy(rs => rs.Created).ThenBy(rs => rs.Name, StringComparer.Ordinal).ToList();

        // cleanupUnhealthyReplicas: unavailable old pods help no one, so they go first and cost nothing.
        var cleaned = 0;
        foreach (var rs in ordered)
        {
            if (cleaned >= maxScaledDown)
            {
                break;
            }

            if (rs.Spec == 0 || rs.Spec == rs.CountedAvailable)
            {
                continue;
            }

            var count = Math.Min(maxScaledDown - cleaned, rs.Spec - rs.CountedAvailable);
            Scale(deployment, rs, rs.Spec - count);
            cleaned += count;
        }

        // scaleDownOldReplicaSetsForRollingUpdate
        var available = ordered.Sum(rs => rs.CountedAvailable) + newRs.CountedAvailable;
        var scaledDown = 0;
        if (available > minAvailable)
        {
            var budget = available - minAvailable;
            foreach (var rs in ordered)
            {
                if (scaledDown >= budget)
                {
                    break;
                }

                if (rs.Spec == 0)
                {
                    continue;
                }

                var count = Math.Min(rs.Spec, budget - scaledDown);
                Scale(deployment, rs, rs.Spec - count);
                scaledDown += count;
            }
        }

        return cleaned + scaledDown > 0;
    }
}
