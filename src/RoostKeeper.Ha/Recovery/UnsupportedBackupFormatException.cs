namespace RoostKeeper.Ha.Recovery;

/// <summary>A backup was written in a format version this library does not read.</summary>
public sealed class UnsupportedBackupFormatException : BackupException
{
    /// <summary>Creates the error.</summary>
    /// <param name="backupId">The backup.</param>
    /// <param name="formatVersion">The version the backup declares.</param>
    public UnsupportedBackupFormatException(string? backupId, int formatVersion)
        : base(backupId, $"Backup {backupId} has archive format version {formatVersion}; this library reads version {RecoveryConstants.FormatVersion} only. Restore it with the RoostKeeper.Ha version that wrote it (see the backup's LibraryVersion); nothing was restored.")
        => FormatVersion = formatVersion;

    /// <summary>The version the backup declares.</summary>
    public int FormatVersion { get; }
}
