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
