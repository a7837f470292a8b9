namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>A failed pod of the new ReplicaSet: what kind of failure, which pod and container, and a sentence for the user.</summary>
internal sealed record PodFailure(RollingUpdateFailureKind Kind, string Pod, string? Container, string Message);
