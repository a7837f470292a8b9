using RoostKeeper.Ha.AspNetCore.Status;
using RoostKeeper.Ha.Recovery;

namespace RoostKeeper.Ha.AspNetCore.Backups;

/// <summary>The result of a restore operation; for a dry run, the plan: what would be created or updated, with the differing fields.</summary>
internal sealed record RestoreDocument(
    string BackupId,
    bool DryRun,
    bool Succeeded,
    IReadOnlyDictionary<RestoreOutcome, int> Counts,
    IReadOnlyList<RestoredObject> Objects,
    HealthDocument? Health)
{
    public static RestoreDocument From(RestoreResult result) => new(
        result.BackupId,
        result.DryRun,
        result.Succeeded,
        Enum.GetValues<RestoreOutcome>().Where(o => result.Count(o) > 0).ToDictionary(o => o, result.Count),
        result.Objects,
        result.Health is { } health ? HealthDocument.From(health) : null);
}
