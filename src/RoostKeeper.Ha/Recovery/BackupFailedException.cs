namespace RoostKeeper.Ha.Recovery;

/// <summary>
/// A backup could not be taken because reading from the Kubernetes API failed (after retries for a
/// transient error). Nothing from the attempt lists as a backup: the partial upload was abandoned.
/// </summary>
public sealed class BackupFailedException : BackupException
{
    /// <summary>Creates the error.</summary>
    /// <param name="backupId">The backup that was being written.</param>
    /// <param name="reading">What was being read, e.g. "managedroosts.roost.birb.party/v1alpha1".</param>
    /// <param name="statusCode">The HTTP status the API server answered with; null when no answer arrived (network, time-out).</param>
    /// <param name="isTransient">Whether the failure is of the kind that passes (5xx, 429, time-out, network), so retrying later may succeed.</param>
    /// <param name="message">What happened and what to do.</param>
    /// <param name="innerException">The API or network error.</param>
    public BackupFailedException(string backupId, string reading, int? statusCode, bool isTransient, string message, Exception? innerException = null)
        : base(backupId, message, innerException)
    {
        Reading = reading;
        StatusCode = statusCode;
        IsTransient = isTransient;
    }

    /// <summary>What was being read when the backup failed: a resource type, a CustomResourceDefinition or the encryption key's Secret.</summary>
    public string Reading { get; }

    /// <summary>The HTTP status the API server answered with; null when no answer arrived (network failure, partition, time-out).</summary>
    public int? StatusCode { get; }

    /// <summary>True when the failure is of a kind that passes (5xx, 429, time-out, network): retry the backup later. False for e.g. 401/403 or a missing resource type, which need a change first.</summary>
    public bool IsTransient { get; }
}
