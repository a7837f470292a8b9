using System.Text.Json;
using RoostKeeper.Ha.Recovery.Archive;

namespace RoostKeeper.Ha.Recovery;

/// <summary>
/// What a store lists for one complete backup: its identity, origin, contents by type and the SHA-256 of
/// the archive file. A store writes it only after the archive is complete, so a backup that was interrupted
/// never has one and never lists.
/// </summary>
public sealed record BackupInfo
{
    /// <summary>The backup's id: a sortable UTC timestamp plus a random suffix, e.g. "20261128-183000-4f2a9c".</summary>
    public required string Id { get; init; }

    /// <summary>When the backup started.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The schedule slot the backup ran for, or null for a backup started by hand.</summary>
    public DateTimeOffset? ScheduledFor { get; init; }

    /// <summary>The source cluster's name as configured (<see cref="BackupOptions.ClusterName"/>).</summary>
    public required string SourceCluster { get; init; }

    /// <summary>The namespaces the backed-up objects came from, sorted.</summary>
    public required IReadOnlyList<string> Namespaces { get; init; }

    /// <summary>Objects per resource type, in the order they were written (the restore order).</summary>
    public required IReadOnlyList<BackupResourceCount> ResourceTypes { get; init; }

    /// <summary>All objects in the backup.</summary>
    public long ObjectCount => ResourceTypes.Sum(t => t.Count);

    /// <summary>The archive file's size in bytes, as stored (encrypted when encryption is on).</summary>
    public required long ArchiveSizeBytes { get; init; }

    /// <summary>The lower-case hex SHA-256 of the archive file as stored.</summary>
    public required string ArchiveSha256 { get; init; }

    /// <summary>The archive format version (1 when written by this version of the library, the only version it reads).</summary>
    public required int FormatVersion { get; init; }

    /// <summary>The version of RoostKeeper.Ha that wrote the backup.</summary>
    public required string LibraryVersion { get; init; }

    /// <summary>How the archive is encrypted, or null when it is not.</summary>
    public BackupEncryptionInfo? Encryption { get; init; }

    /// <summary>The info as the UTF-8 JSON stores keep next to the archive.</summary>
    /// <returns>The JSON bytes.</returns>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, ManifestJson.Options);

    /// <summary>Reads info written by <see cref="ToJson"/>.</summary>
    /// <param name="json">The UTF-8 JSON.</param>
    /// <returns>The info.</returns>
    /// <exception cref="BackupIntegrityException">The JSON is not a backup info.</exception>
    public static BackupInfo FromJson(ReadOnlySpan<byte> json) => FromJson(json, null, null);

    /// <summary>Reads the info a store holds for <paramref name="backupId"/> in <paramref name="source"/>; errors name both.</summary>
    internal static BackupInfo FromJson(ReadOnlySpan<byte> json, string? backupId, string? source)
    {
        try
        {
            return JsonSerializer.Deserialize<BackupInfo>(json, ManifestJson.Options)
                ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            var where = source is null ? "The backup's info file" : $"{source}";
            throw new BackupIntegrityException(backupId, BackupProblem.Unreadable, $"{where} is not a backup info: {e.Message}", e, objectPath: source);
        }
    }
}
