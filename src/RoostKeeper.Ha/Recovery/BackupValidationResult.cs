namespace RoostKeeper.Ha.Recovery;

/// <summary>The result of <see cref="RecoveryManager.ValidateBackupAsync"/>.</summary>
/// <param name="BackupId">The backup.</param>
/// <param name="Error">Why the backup cannot be trusted, or null when it is valid.</param>
/// <param name="Info">The backup's info, when the store has it.</param>
public sealed record BackupValidationResult(string BackupId, BackupException? Error, BackupInfo? Info)
{
    /// <summary>True when every check passed.</summary>
    public bool IsValid => Error is null;
}
