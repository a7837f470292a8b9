using k8s;
using k8s.Models;

namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>What the caller's verification gets: which update, at which stage, and the new pods to check.</summary>
public sealed record RollingUpdateVerificationContext
{
    /// <summary>The update's id.</summary>
    public required string UpdateId { get; init; }

    /// <summary>The stage: the canary hold or the completed rollout.</summary>
    public required VerificationStage Stage { get; init; }

    /// <summary>The Deployment's namespace.</summary>
    public required string Namespace { get; init; }

    /// <summary>The Deployment's name.</summary>
    public required string Deployment { get; init; }

    /// <summary>The new template's revision.</summary>
    public required long Revision { get; init; }

    /// <summary>The new ReplicaSet's name.</summary>
    public required string ReplicaSet { get; init; }

    /// <summary>The new ReplicaSet's ready pods (for example to send an HTTP check to each pod IP).</summary>
    public required IReadOnlyList<V1Pod> Pods { get; init; }

    /// <summary>The client the manager uses, for checks that read the cluster.</summary>
    public required IKubernetes Kubernetes { get; init; }
}
