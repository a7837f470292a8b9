namespace RoostKeeper.Ha.Recovery;

/// <summary>
/// The result of <see cref="RecoveryManager.TestDisasterRecoveryAsync"/>: a fresh backup, its validation and a
/// dry-run restore of it against the live cluster, which should find every object unchanged.
/// </summary>
/// <param name="Backup">The backup made for the test.</param>
/// <param name="Validation">Its validation.</param>
/// <param name="Plan">The dry-run restore.</param>
public sealed record DisasterRecoveryTestResult(BackupInfo Backup, BackupValidationResult Validation, RestoreResult? Plan)
{
    /// <summary>Objects the dry run would create or change, or that failed: drift since the backup, or objects that would not restore.</summary>
    public IReadOnlyList<RestoredObject> Mismatches =>
        Plan is null ? [] : [.. Plan.Objects.Where(o => o.Outcome is not (RestoreOutcome.Unchanged))];

    /// <summary>True when the backup is valid and a restore of it would reproduce the cluster exactly and without errors.</summary>
    public bool Passed => Validation.IsValid && Plan is not null && Mismatches.Count == 0;
}
