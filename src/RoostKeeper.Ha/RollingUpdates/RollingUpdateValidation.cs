namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>What <see cref="RollingUpdateManager.ValidateUpdateAsync(string, string, IReadOnlyDictionary{string, string}, RollingUpdateOptions?, CancellationToken)"/> found.</summary>
public sealed record RollingUpdateValidation
{
    /// <summary>Whether the update may start: no <see cref="Problems"/>.</summary>
    public bool IsValid => Problems.Count == 0;

    /// <summary>Reasons the update would be refused, each saying what to change.</summary>
    public required IReadOnlyList<string> Problems { get; init; }

    /// <summary>Things the update adjusts or the caller should know (e.g. maxUnavailable lowered for a PodDisruptionBudget).</summary>
    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>The Deployment's current revision (0 when it was not found).</summary>
    public long CurrentRevision { get; init; }

    /// <summary>Desired replicas.</summary>
    public int Replicas { get; init; }

    /// <summary>The maxSurge the update would run with, in pods.</summary>
    public int MaxSurge { get; init; }

    /// <summary>The maxUnavailable the update would run with, in pods (after any lowering for PodDisruptionBudgets).</summary>
    public int MaxUnavailable { get; init; }

    /// <summary>Whether the new images are what the Deployment already runs (the update would change nothing).</summary>
    public bool IsNoChange { get; init; }
}
