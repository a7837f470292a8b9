namespace RoostKeeper.Ha.Recovery;

/// <summary>Fixed values of the backup format, in one place (internal, as Polly keeps its constants; the activity names are <see cref="Diagnostics.HaActivities"/>).</summary>
internal static class RecoveryConstants
{
    /// <summary>The archive format version this library writes and the only one it reads: 1.</summary>
    public const int FormatVersion = 1;

    /// <summary>The name of the manifest entry, the last entry of every archive.</summary>
    public const string ManifestEntryName = "manifest.json";

    /// <summary>The folder (tar path prefix) holding one JSON file per object.</summary>
    public const string ObjectsFolder = "objects";

    /// <summary>The encryption algorithm of encrypted backups: "AES-256-GCM".</summary>
    public const string EncryptionAlgorithm = "AES-256-GCM";
}
