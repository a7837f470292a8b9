namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>
/// An update failed and could not be rolled back (or its rollback did not become available in time): the Deployment
/// may run a mix of revisions. Roll it back by hand: <c>kubectl rollout undo deployment/NAME -n NAMESPACE
/// --to-revision=PREVIOUSREVISION</c>, then check <c>kubectl rollout status</c>.
/// </summary>
public sealed class RollingUpdateFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="status">The update's final status.</param>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The error that stopped the rollback, if any.</param>
    public RollingUpdateFailedException(RollingUpdateStatus status, string message, Exception? innerException = null)
        : base($"{message} Deployment {status?.Namespace}/{status?.Deployment} may run a mix of revisions: roll it back with "
            + $"`kubectl rollout undo deployment/{status?.Deployment} -n {status?.Namespace} --to-revision={status?.PreviousRevision}` "
            + "and check `kubectl rollout status`.", innerException)
    {
        ArgumentNullException.ThrowIfNull(status);
        Status = status;
    }

    /// <summary>The update's final status (phase <see cref="RollingUpdatePhase.Failed"/>).</summary>
    public RollingUpdateStatus Status { get; }

    /// <summary>The Deployment's namespace.</summary>
    public string Namespace => Status.Namespace;

    /// <summary>The Deployment's name.</summary>
    public string Deployment => Status.Deployment;

    /// <summary>The revision that failed (0 if the controller never created it).</summary>
    public long Revision => Status.Revision;

    /// <summary>The revision to roll back to.</summary>
    public long PreviousRevision => Status.PreviousRevision;
}
