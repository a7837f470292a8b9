namespace RoostKeeper.Ha.Recovery;

/// <summary>
/// A backup failed validation: a hash differs, an object is missing, the archive is truncated or the
/// manifest belongs to another backup. Thrown before any write when validation finds it; when the store
/// serves a different archive on the restore's second read, thrown mid-restore with
/// <see cref="RestoredBeforeFailure"/> listing what the restore had already handled.
/// </summary>
public sealed class BackupIntegrityException : BackupException
{
    /// <summary>Creates the error for a backup refused before anything was written.</summary>
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
        : this(backupId, problem, message, innerException, objectPath, expectedSha256, actualSha256, [])
    {
    }

    private BackupIntegrityException(
        string? backupId,
        BackupProblem problem,
        string message,
        Exception? innerException,
        string? objectPath,
        string? expectedSha256,
        string? actualSha256,
        IReadOnlyList<RestoredObject> restored)
        : base(backupId, Describe(backupId, problem, message, restored), innerException)
    {
        Problem = problem;
        Detail = message;
        ObjectPath = objectPath;
        ExpectedSha256 = expectedSha256;
        ActualSha256 = actualSha256;
        RestoredBeforeFailure = restored;
    }

    /// <summary>What is wrong.</summary>
    public BackupProblem Problem { get; }

    /// <summary>The archive path of the object concerned (e.g. "objects/roost.birb.party/v1alpha1/managedroosts/ns/name.json"), if one is.</summary>
    public string? ObjectPath { get; }

    /// <summary>The SHA-256 recorded when the backup was written, when a hash is concerned.</summary>
    public string? ExpectedSha256 { get; }

    /// <summary>The SHA-256 of what is there now, when a hash is concerned.</summary>
    public string? ActualSha256 { get; }

    /// <summary>
    /// The objects a restore had handled (created, updated, found unchanged, skipped or failed) before the
    /// archive read for it turned out to differ from the validated one; they stay in the cluster. Empty when
    /// the backup was refused before any write (the usual case).
    /// </summary>
    public IReadOnlyList<RestoredObject> RestoredBeforeFailure { get; }

    /// <summary>The description without the advice the message adds.</summary>
    internal string Detail { get; }

    /// <summary>The same failure, found by a restore after it had handled <paramref name="restored"/>.</summary>
    internal BackupIntegrityException AfterRestoring(IReadOnlyList<RestoredObject> restored) =>
        new(BackupId, Problem, Detail, InnerException, ObjectPath, ExpectedSha256, ActualSha256, restored);

    private static string Describe(string? backupId, BackupProblem problem, string message, IReadOnlyList<RestoredObject> restored)
    {
        var head = $"Backup {backupId ?? "(unknown)"} failed validation ({problem}): {message}";
        if (restored.Count == 0)
        {
            return problem == BackupProblem.Unencrypted
                ? $"{head} Nothing was restored from it."
                : $"{head} Nothing was restored from it; restore from another backup (ListBackupsAsync) or from the mirrored copy.";
        }

        var written = restored.Count(o => o.Outcome is RestoreOutcome.Created or RestoreOutcome.Updated);
        return $"{head} The archive the store served for the restore differs from the one validated before it; the restore stopped there, " +
            $"after handling {restored.Count} objects ({written} of them created or updated), which stay in the cluster (RestoredBeforeFailure lists them); " +
            "nothing after that point was restored. Run the restore again once the store serves the backup intact, or from another backup: objects are written by name, so a rerun converges.";
    }
}
