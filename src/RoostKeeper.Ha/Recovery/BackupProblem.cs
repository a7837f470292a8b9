namespace RoostKeeper.Ha.Recovery;

/// <summary>What is wrong with a backup that failed validation.</summary>
public enum BackupProblem
{
    /// <summary>The archive file's SHA-256 differs from the one recorded when it was written (a changed or flipped byte).</summary>
    ArchiveHashMismatch,

    /// <summary>An object's SHA-256 differs from the manifest's.</summary>
    ObjectHashMismatch,

    /// <summary>The manifest's content hash (over every object's path and hash) does not match the objects: the manifest was edited.</summary>
    ContentHashMismatch,

    /// <summary>An object the manifest lists is not in the archive.</summary>
    MissingObject,

    /// <summary>The archive holds an object the manifest does not list.</summary>
    UnexpectedObject,

    /// <summary>The archive ends early (truncated).</summary>
    Truncated,

    /// <summary>The archive, an object or the manifest cannot be parsed.</summary>
    Unreadable,

    /// <summary>The archive has no manifest.</summary>
    MissingManifest,

    /// <summary>The manifest belongs to another backup (its id differs from the backup's).</summary>
    ManifestMismatch,

    /// <summary>The info the store holds under the backup's id describes another backup (its id differs), e.g. another backup's info file copied over it.</summary>
    InfoMismatch,

    /// <summary>
    /// The backup is not encrypted, but the manager has an encryption key: anyone who can write to the store
    /// could have written it. Refused unless <see cref="BackupOptions.AllowUnencryptedBackups"/> is set (for a migration).
    /// </summary>
    Unencrypted,
}
