namespace RoostKeeper.Ha.Recovery.Archive;

/// <summary>One object read from an archive: its path, its JSON and the SHA-256 of that JSON.</summary>
internal sealed record ArchiveObject(string Path, byte[] Json, string Sha256);
