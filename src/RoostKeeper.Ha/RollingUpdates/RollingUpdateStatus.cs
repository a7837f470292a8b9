namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>A snapshot of one rolling update: what it changes, where it is, the replica counts and its timeline.</summary>
public sealed record RollingUpdateStatus
{
    /// <summary>The update's id, unique within the manager (e.g. "upd-20261128t190102-3f2a").</summary>
    public required string Id { get; init; }

    /// <summary>The Deployment's namespace.</summary>
    public required string Namespace { get; init; }

    /// <summary>The Deployment's name.</summary>
    public required string Deployment { get; init; }

    /// <summary>The new image of each container that changes, by container name.</summary>
    public required IReadOnlyDictionary<string, string> Images { get; init; }

    /// <summary>When the update started.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>When it reached a final phase, or null while it runs.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Where the update is.</summary>
    public required RollingUpdatePhase Phase { get; init; }

    /// <summary>Why it failed, or <see cref="RollingUpdateFailureKind.None"/>.</summary>
    public RollingUpdateFailureKind Failure { get; init; }

    /// <summary>The revision the Deployment was at before the update (0 before it is known).</summary>
    public long PreviousRevision { get; init; }

    /// <summary>The revision of the new template (0 until the controller has created its ReplicaSet).</summary>
    public long Revision { get; init; }

    /// <summary>Desired replicas (spec.replicas).</summary>
    public int DesiredReplicas { get; init; }

    /// <summary>Pods of every revision (status.replicas).</summary>
    public int CurrentReplicas { get; init; }

    /// <summary>Pods of the newest template (status.updatedReplicas).</summary>
    public int UpdatedReplicas { get; init; }

    /// <summary>Ready pods (status.readyReplicas).</summary>
    public int ReadyReplicas { get; init; }

    /// <summary>Available pods (status.availableReplicas).</summary>
    public int AvailableReplicas { get; init; }

    /// <summary>How far the rollout of the current target template is, 0 to 1 (during a rollback: of the rollback).</summary>
    public double Progress { get; init; }

    /// <summary>The latest thing that happened, in a sentence.</summary>
    public required string Message { get; init; }

    /// <summary>Everything that happened, oldest first.</summary>
    public required IReadOnlyList<RollingUpdateEvent> Timeline { get; init; }

    /// <summary>Whether the phase is final (Succeeded, RolledBack, Failed or TimedOut).</summary>
    public bool IsFinished => Phase is RollingUpdatePhase.Succeeded or RollingUpdatePhase.RolledBack or RollingUpdatePhase.Failed or RollingUpdatePhase.TimedOut;

    /// <summary>How long the update took, from <see cref="StartedAt"/> to <see cref="FinishedAt"/>; null while it runs (<see cref="FinishedAt"/> is null until <see cref="IsFinished"/>).</summary>
    public TimeSpan? Duration => FinishedAt - StartedAt;
}
