namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>
/// Another update of the same Deployment is running, in this process or (seen through the Deployment's lock Lease,
/// "{deployment}-rollout-lock") in another replica. Wait for it to finish, or, if its holder
/// is gone, for the lock to expire at <see cref="ExpiresAt"/>.
/// </summary>
public sealed class RollingUpdateInProgressException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="namespace">The Deployment's namespace.</param>
    /// <param name="deployment">The Deployment's name.</param>
    /// <param name="runningUpdateId">The running update's id.</param>
    /// <param name="holder">Who runs it (the manager's identity).</param>
    /// <param name="expiresAt">When its lock expires if it is never released, or null for an update in this process.</param>
    public RollingUpdateInProgressException(string @namespace, string deployment, string runningUpdateId, string holder, DateTimeOffset? expiresAt)
        : base($"Deployment {@namespace}/{deployment} is already being updated by update {runningUpdateId} (run by {holder}"
            + (expiresAt is { } at ? $", lock expires {at:u}" : "") + "); wait for it to finish and try again.")
    {
        Namespace = @namespace;
        Deployment = deployment;
        RunningUpdateId = runningUpdateId;
        Holder = holder;
        ExpiresAt = expiresAt;
    }

    /// <summary>The Deployment's namespace.</summary>
    public string Namespace { get; }

    /// <summary>The Deployment's name.</summary>
    public string Deployment { get; }

    /// <summary>The running update's id.</summary>
    public string RunningUpdateId { get; }

    /// <summary>Who runs it.</summary>
    public string Holder { get; }

    /// <summary>When its lock expires if never released, or null for an update in this process.</summary>
    public DateTimeOffset? ExpiresAt { get; }
}
