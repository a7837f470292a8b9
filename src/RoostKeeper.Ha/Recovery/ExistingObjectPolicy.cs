namespace RoostKeeper.Ha.Recovery;

/// <summary>What a restore does with an object that already exists in the cluster and differs from the backup.</summary>
public enum ExistingObjectPolicy
{
    /// <summary>Leave the live object as it is and report it as skipped (the default, like Velero's "none").</summary>
    Skip,

    /// <summary>Replace the live object with the backup's (optimistic concurrency on its current resourceVersion); a failed update is reported as failed.</summary>
    Update,
}
