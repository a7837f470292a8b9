using Microsoft.Extensions.Logging;

namespace RoostKeeper.Ha.Recovery;

/// <summary>Backup and restore log messages, with stable event ids (3000–3099).</summary>
internal static partial class RecoveryLog
{
    /// <summary>The logger category of recovery (docs/metrics.md, Log event ids).</summary>
    public const string Category = "RoostKeeper.Ha.Recovery";

    [LoggerMessage(3000, LogLevel.Information, "Backup {BackupId} started ({Resources})")]
    public static partial void BackupStarted(ILogger logger, string backupId, string resources);

    [LoggerMessage(3001, LogLevel.Information, "Backup {BackupId} completed: {Objects} objects, {Bytes} bytes, SHA-256 {Sha256}")]
    public static partial void BackupCompleted(ILogger logger, string backupId, long objects, long bytes, string sha256);

    [LoggerMessage(3002, LogLevel.Error, "Backup {BackupId} failed: {Problem}")]
    public static partial void BackupFailed(ILogger logger, string backupId, string problem, Exception exception);

    [LoggerMessage(3003, LogLevel.Warning, "Backup {BackupId}: no CustomResourceDefinition {Definition}; the backup holds its objects only")]
    public static partial void DefinitionMissing(ILogger logger, string backupId, string definition);

    [LoggerMessage(3004, LogLevel.Error, "Backup {BackupId} failed validation: {Problem}")]
    public static partial void ValidationFailed(ILogger logger, string backupId, string problem);

    [LoggerMessage(3005, LogLevel.Information, "Restore from backup {BackupId} started (dry run: {DryRun})")]
    public static partial void RestoreStarted(ILogger logger, string backupId, bool dryRun);

    [LoggerMessage(3006, LogLevel.Information, "Restore from backup {BackupId} finished (dry run: {DryRun}): {Created} created, {Updated} updated, {Skipped} skipped, {Unchanged} unchanged, {Failed} failed")]
    public static partial void RestoreFinished(ILogger logger, string backupId, bool dryRun, int created, int updated, int skipped, int unchanged, int failed);

    [LoggerMessage(3007, LogLevel.Warning, "Restore from backup {BackupId}: {Kind} {Namespace}/{Name} failed: {Problem}")]
    public static partial void ObjectFailed(ILogger logger, string backupId, string kind, string? @namespace, string name, string problem);

    [LoggerMessage(3008, LogLevel.Information, "Retention deleted backup {BackupId} (created {CreatedAt})")]
    public static partial void RetentionDeleted(ILogger logger, string backupId, DateTimeOffset createdAt);

    [LoggerMessage(3009, LogLevel.Information, "Next scheduled backup at {Next} (schedule \"{Schedule}\")")]
    public static partial void NextScheduled(ILogger logger, DateTimeOffset next, string schedule);

    [LoggerMessage(3010, LogLevel.Error, "Scheduled backup for {Slot} failed; the schedule continues")]
    public static partial void ScheduledBackupFailed(ILogger logger, DateTimeOffset slot, Exception exception);

    [LoggerMessage(3011, LogLevel.Warning, "Mirrored store: the copy of backup {BackupId} in {Store} is {Problem}")]
    public static partial void MirrorCopyProblem(ILogger logger, string backupId, string store, string problem);

    [LoggerMessage(3012, LogLevel.Warning, "Restore from backup {BackupId} failed: {Problem}")]
    public static partial void RestoreFailed(ILogger logger, string backupId, string problem, Exception exception);

    [LoggerMessage(3013, LogLevel.Warning, "Mirrored store: listing {Store} failed; listing the other side only")]
    public static partial void MirrorListFailed(ILogger logger, string store, Exception exception);

    [LoggerMessage(3014, LogLevel.Warning, "Backup {BackupId} is complete, but retention failed; it runs again after the next backup")]
    public static partial void RetentionFailed(ILogger logger, string backupId, Exception exception);

    [LoggerMessage(3015, LogLevel.Error, "Backup {BackupId} was written but not verified ({Problem}), and deleting it failed: delete it by hand; validation refuses it")]
    public static partial void UnverifiedNotDeleted(ILogger logger, string backupId, string problem, Exception exception);

    [LoggerMessage(3016, LogLevel.Warning, "Store {Store}: {Entry} is not listed as a backup ({Reason}); the other backups are listed, and retention and schedules go on. Remove or move the file if it is not a backup")]
    public static partial void UnreadableStoreEntry(ILogger logger, string store, string entry, string reason);
}
