using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Testing.Controllers;

/// <summary>The Recreate strategy, as recreate.go: scale every old ReplicaSet to zero, wait for their pods to go, then scale up the new one.</summary>
internal sealed partial class DeploymentController
{
    private bool RolloutRecreate(JsonObject deployment, ref ReplicaSetView? newRs, List<ReplicaSetView> olds, JsonObject working, DateTimeOffset now)
    {
        var acted = false;
        foreach (var rs in olds.Where(rs => rs.Spec > 0))
        {
            Scale(deployment, rs, 0);
            acted = true;
        }

        if (acted || olds.Any(rs => rs.ObservedPods > 0))
        {
            // Recreate means no old pod may run next to a new one: wait until they are all gone.
            return true;
        }

        var replicas = Replicas(deployment);
        if (newRs is null)
        {
            newRs = CreateNewReplicaSet(deployment, olds, replicas, working, now);
            return true;
        }

        if (newRs.Spec != replicas)
        {
            Scale(deployment, newRs, replicas);
            return true;
        }

        return false;
    }
}
