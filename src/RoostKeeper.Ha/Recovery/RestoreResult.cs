using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RoostKeeper.Ha.Recovery;

/// <summary>The outcome of a restore: one entry per object, in the order they were handled.</summary>
public sealed record RestoreResult
{
    /// <summary>The backup restored from.</summary>
    public required string BackupId { get; init; }

    /// <summary>Whether this was a dry run (nothing written; the outcomes are the plan).</summary>
    public required bool DryRun { get; init; }

    /// <summary>Every object, with its outcome.</summary>
    public required IReadOnlyList<RestoredObject> Objects { get; init; }

    /// <summary>The health report after the restore, when a health check is configured and the restore was not a dry run.</summary>
    public HealthReport? Health { get; init; }

    /// <summary>True when no object failed and the health report (if any) is not Unhealthy.</summary>
    public bool Succeeded => Objects.All(o => o.Outcome != RestoreOutcome.Failed) && Health?.Status != HealthStatus.Unhealthy;

    /// <summary>How many objects had <paramref name="outcome"/>.</summary>
    /// <param name="outcome">The outcome.</param>
    /// <returns>The count.</returns>
    public int Count(RestoreOutcome outcome) => Objects.Count(o => o.Outcome == outcome);
}
