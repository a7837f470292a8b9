namespace RoostKeeper.Ha.Recovery;

/// <summary>The base of the errors a backup operation reports; <see cref="BackupId"/> names the backup.</summary>
public class BackupException : Exception
{
    /// <summary>Creates the error.</summary>
    /// <param name="backupId">The backup concerned, when known.</param>
    /// <param name="message">What happened and what to do.</param>
    /// <param name="innerException">The cause, if any.</param>
    public BackupException(string? backupId, string message, Exception? innerException = null)
        : base(message, innerException) => BackupId = backupId;

    /// <summary>The backup concerned, or null when not known.</summary>
    public string? BackupId { get; }
}
