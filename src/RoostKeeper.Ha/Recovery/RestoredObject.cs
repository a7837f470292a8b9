namespace RoostKeeper.Ha.Recovery;

/// <summary>The result for one object of a restore (or of a dry run's plan).</summary>
/// <param name="ApiVersion">The object's apiVersion.</param>
/// <param name="Kind">The object's kind.</param>
/// <param name="Namespace">The namespace it was restored to (after mapping), or null when cluster-scoped.</param>
/// <param name="Name">The object's name.</param>
/// <param name="Outcome">What happened.</param>
/// <param name="Differences">For an object that exists: the fields where the backup and the cluster differ (paths, not values, so Secret data never appears).</param>
/// <param name="Error">Why it failed, when it did.</param>
public sealed record RestoredObject(
    string ApiVersion,
    string Kind,
    string? Namespace,
    string Name,
    RestoreOutcome Outcome,
    IReadOnlyList<string> Differences,
    string? Error = null);
