namespace RoostKeeper.Ha.Recovery.Archive;

/// <summary>
/// The archive's last entry, manifest.json: what was backed up, from where, by which library version, and
/// the SHA-256 of every object plus <see cref="ContentSha256"/> over all of them (see docs/recovery.md).
/// </summary>
internal sealed record BackupManifest
{
    public required int FormatVersion { get; init; }

    public required string Id { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required string SourceCluster { get; init; }

    public required IReadOnlyList<string> Namespaces { get; init; }

    public required IReadOnlyList<BackupResourceCount> ResourceTypes { get; init; }

    public required IReadOnlyList<ManifestObject> Objects { get; init; }

    /// <summary>SHA-256 over "path\nsha256\n" of every object, in archive order.</summary>
    public required string ContentSha256 { get; init; }

    public required string LibraryVersion { get; init; }

    public BackupEncryptionInfo? Encryption { get; init; }
}
