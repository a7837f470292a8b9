namespace RoostKeeper.Ha.Recovery;

/// <summary>An encrypted backup cannot be opened with the key given (or no key was given).</summary>
public sealed class BackupKeyException : BackupException
{
    /// <summary>Creates the error.</summary>
    /// <param name="backupId">The backup.</param>
    /// <param name="requiredKeyId">The id of the key the backup was encrypted with.</param>
    /// <param name="givenKeyId">The id of the key given, or null when none was.</param>
    public BackupKeyException(string? backupId, string requiredKeyId, string? givenKeyId)
        : base(backupId, givenKeyId is null
            ? $"Backup {backupId} is encrypted with key {requiredKeyId}, but no encryption key is configured. Configure that key (Encrypt(...)) and try again."
            : $"Backup {backupId} is encrypted with key {requiredKeyId}, but the configured key is {givenKeyId}. Configure the key the backup was written with; nothing was restored.")
    {
        RequiredKeyId = requiredKeyId;
        GivenKeyId = givenKeyId;
    }

    /// <summary>The id of the key the backup was encrypted with.</summary>
    public string RequiredKeyId { get; }

    /// <summary>The id of the key given, or null when none was.</summary>
    public string? GivenKeyId { get; }
}
