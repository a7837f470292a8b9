namespace RoostKeeper.Ha.Recovery.Archive;

/// <summary>The result of a full verification: the manifest, checked against every object and the archive's hash.</summary>
internal sealed record VerifiedArchive(BackupInfo Info, BackupManifest Manifest)
{
    private Dictionary<string, ManifestObject>? _byPath;

    public ManifestObject? Find(string path) =>
        (_byPath ??= Manifest.Objects.ToDictionary(o => o.Path, StringComparer.Ordinal)).GetValueOrDefault(path);
}
