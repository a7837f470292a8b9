using k8s.Models;

namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>What <see cref="RolloutStatusEvaluator"/> read from a Deployment: the verdict, kubectl's message and the counts.</summary>
internal sealed record RolloutStatusReport(
    RolloutState State,
    string Message,
    int Desired,
    int Replicas,
    int Updated,
    int Ready,
    int Available,
    long Revision,
    V1ReplicaSet? NewReplicaSet)
{
    /// <summary>
    /// How far the rollout is, 0 to 1: updated replicas, available updated replicas and old replicas gone each count
    /// for a third, so the figure only reaches 1 when kubectl would say "successfully rolled out".
    /// </summary>
    public double Progress
    {
        get
        {
            if (State == RolloutState.Complete)
            {
                return 1;
            }

            if (Desired <= 0)
            {
                return 0;
            }

            var updated = Math.Min(Updated, Desired);
            var availableUpdated = Math.Min(Math.Min(Available, Updated), Desired);
            var oldGone = Math.Clamp(Desired - Math.Max(0, Replicas - Updated), 0, Desired);
            return Math.Clamp((updated + availableUpdated + oldGone) / (3.0 * Desired), 0, 0.99);
        }
    }
}
