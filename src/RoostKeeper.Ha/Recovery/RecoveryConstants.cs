namespace RoostKeeper.Ha.Recovery;

/// <summary>Fixed values of the backup format and of recovery's telemetry, in one place.</summary>
public static class RecoveryConstants
{
    /// <summary>The archive format version this library writes and the only one it reads: 1.</summary>
    public const int FormatVersion = 1;

    /// <summary>The name of the manifest entry, the last entry of every archive.</summary>
    public const string ManifestEntryName = "manifest.json";

    /// <summary>The folder (tar path prefix) holding one JSON file per object.</summary>
    public const string ObjectsFolder = "objects";

    /// <summary>The encryption algorithm of encrypted backups: "AES-256-GCM".</summary>
    public const string EncryptionAlgorithm = "AES-256-GCM";

    /// <summary>The name of the activity each backup operation starts: "roost_keeper.backup".</summary>
    public const string BackupActivityName = "roost_keeper.backup";

    /// <summary>The name of the activity each restore operation starts: "roost_keeper.restore".</summary>
    public const string RestoreActivityName = "roost_keeper.restore";

    /// <summary>The name of the activity each validation starts: "roost_keeper.backup.validate".</summary>
    public const string ValidateActivityName = "roost_keeper.backup.validate";
}
