namespace RoostKeeper.Ha.Recovery.Archive;

/// <summary>One object in the manifest: its archive path, its SHA-256 and size.</summary>
internal sealed record ManifestObject(string Path, string Sha256, long Size);
