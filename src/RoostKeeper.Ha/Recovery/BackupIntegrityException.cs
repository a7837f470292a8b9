namespace RoostKeeper.Ha.Recovery;

/// <summary>
/// A backup failed validation: a hash differs, an object is missing, the archive is truncated or the
/// manifest belongs to another backup. Nothing was restored from it.
/// </summary>
public sealed class BackupIntegrityException : BackupException
{
    /// <summary>Creates the error.</summary>
    /// <param name="backupId">The backup.</param>
    /// <param name="problem">What is wrong.</param>
    /// <param name="message">The description (the constructor adds what to do).</param>
    /// <param name="innerException">The cause, if any.</param>
    /// <param name="objectPath">The archive path of the object concerned, if one is.</param>
    /// <param name="expectedSha256">The hash recorded when the backup was written.</param>
    /// <param name="actualSha256">The hash of what is there now.</param>
    public BackupIntegrityException(
        string? backupId,
        BackupProblem problem,
        string message,
        Exception? innerException = null,
        string? objectPath = null,
        string? expectedSha256 = null,
        string? actualSha256 = null)
        : base(backupId, $"Backup {backupId ?? "(unknown)"} failed validation ({problem}): {message} Nothing was restored from it; restore from another backup (ListBackupsAsync) or from the mirrored copy.", innerException)
    {
        Problem = problem;
        ObjectPath = objectPath;
        ExpectedSha256 = expectedSha256;
        ActualSha256 = actualSha256;
    }

    /// <summary>What is wrong.</summary>
    public BackupProblem Problem { get; }

    /// <summary>The archive path of the object concerned (e.g. "objects/roost.birb.party/v1alpha1/managedroosts/ns/name.json"), if one is.</summary>
    public string? ObjectPath { get; }

    /// <summary>The SHA-256 recorded when the backup was written, when a hash is concerned.</summary>
    public string? ExpectedSha256 { get; }

    /// <summary>The SHA-256 of what is there now, when a hash is concerned.</summary>
    public string? ActualSha256 { get; }
}
