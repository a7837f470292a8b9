namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>
/// The update was refused before anything changed: the Deployment is missing or unhealthy, an image reference is
/// malformed, the strategy could leave no pod available, a PodDisruptionBudget is at its limit, or this replica is
/// not the leader. <see cref="Problems"/> says what to change.
/// </summary>
public sealed class RollingUpdateRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="namespace">The Deployment's namespace.</param>
    /// <param name="deployment">The Deployment's name.</param>
    /// <param name="problems">Why, each saying what to change.</param>
    public RollingUpdateRefusedException(string @namespace, string deployment, IReadOnlyList<string> problems)
        : base($"Rolling update of deployment {@namespace}/{deployment} refused; nothing was changed: {string.Join(" ", problems)}")
    {
        Namespace = @namespace;
        Deployment = deployment;
        Problems = problems;
    }

    /// <summary>The Deployment's namespace.</summary>
    public string Namespace { get; }

    /// <summary>The Deployment's name.</summary>
    public string Deployment { get; }

    /// <summary>Why the update was refused.</summary>
    public IReadOnlyList<string> Problems { get; }
}
