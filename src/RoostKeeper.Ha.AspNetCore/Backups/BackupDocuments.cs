using RoostKeeper.Ha.AspNetCore.Api;
using RoostKeeper.Ha.AspNetCore.Operations;
using RoostKeeper.Ha.Recovery;

namespace RoostKeeper.Ha.AspNetCore.Backups;

/// <summary>The JSON of one backup: its info as the store lists it, and its validation state as this replica knows it.</summary>
internal sealed record BackupDocument(
    string Id,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ScheduledFor,
    string SourceCluster,
    IReadOnlyList<string> Namespaces,
    IReadOnlyList<BackupResourceCount> ResourceTypes,
    long ObjectCount,
    long ArchiveSizeBytes,
    string ArchiveSha256,
    int FormatVersion,
    string LibraryVersion,
    BackupEncryptionInfo? Encryption,
    ValidationDocument Validation)
{
    public static BackupDocument From(BackupInfo info, ValidationDocument validation) => new(
        info.Id, info.CreatedAt, info.ScheduledFor, info.SourceCluster, info.Namespaces, info.ResourceTypes, info.ObjectCount,
        info.ArchiveSizeBytes, info.ArchiveSha256, info.FormatVersion, info.LibraryVersion, info.Encryption, validation);
}

/// <summary>The result of a validation operation.</summary>
internal sealed record ValidationResultDocument(string BackupId, bool Valid, OperationError? Error);

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

/// <summary>The body of POST /backup, POST /backups and POST /backups/{id}/validate: nothing to set (what is backed up is configured with AddBackups); absent or {}.</summary>
internal sealed record EmptyRequest;

/// <summary>The body of POST /restore/{id}; every field optional.</summary>
/// <param name="DryRun">Plan only (default false): nothing is written; the result lists what would change.</param>
/// <param name="ExistingObjects">"Skip" (default) or "Update": what to do with objects that exist and differ.</param>
/// <param name="NamespaceMapping">Restore objects of namespace key into namespace value.</param>
/// <param name="IncludeStatus">Keep each object's status (default false).</param>
/// <param name="VerifyHealth">Run the health check after a restore that wrote (default true).</param>
internal sealed record RestoreRequest(bool? DryRun, ExistingObjectPolicy? ExistingObjects, Dictionary<string, string>? NamespaceMapping, bool? IncludeStatus, bool? VerifyHealth);
