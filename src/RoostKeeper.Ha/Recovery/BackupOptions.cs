using System.ComponentModel.DataAnnotations;
using RoostKeeper.Ha.Recovery.Encryption;

namespace RoostKeeper.Ha.Recovery;

/// <summary>What is backed up, how, and how long it is kept. Usually set through <c>AddBackups(b => ...)</c>.</summary>
public sealed class BackupOptions
{
    /// <summary>The resource types included, in this order within their restore phase.</summary>
    /// <value>Default empty; at least one is required.</value>
    public IList<BackupResource> Resources { get; } = [];

    /// <summary>Also back up the CustomResourceDefinition of every included custom resource type, so a restore into an empty cluster recreates it first.</summary>
    /// <value>Default true.</value>
    public bool IncludeDefinitions { get; set; } = true;

    /// <summary>The source cluster's name, recorded in every backup.</summary>
    /// <value>Default "default". Must not be empty.</value>
    [Required(ErrorMessage = "BackupOptions.ClusterName must not be empty.")]
    public string ClusterName { get; set; } = "default";

    /// <summary>Objects per list request (limit/continue paging).</summary>
    /// <value>Default 500; 10 to 5000.</value>
    public int PageSize { get; set; } = 500;

    /// <summary>The AES-256-GCM key; null for unencrypted backups (then Secrets may not be included).</summary>
    /// <value>Default null.</value>
    public BackupEncryptionKey? EncryptionKey { get; set; }

    /// <summary>
    /// With an <see cref="EncryptionKey"/>, also validate and restore backups that are not encrypted (those
    /// written before encryption was turned on). Off, such a backup is refused before any write
    /// (<see cref="BackupIntegrityException"/>, <see cref="BackupProblem.Unencrypted"/>): anyone who can write
    /// to the store can write an unencrypted backup, Secrets included. Turn it on for a migration only.
    /// Without a key it has no effect (unencrypted backups are the only kind).
    /// </summary>
    /// <value>Default false.</value>
    public bool AllowUnencryptedBackups { get; set; }

    /// <summary>Which backups to keep; null keeps all.</summary>
    /// <value>Default null.</value>
    public BackupRetention? Retention { get; set; }

    /// <summary>A cron expression (5 fields, UTC, Cronos syntax) for scheduled backups, run on the leader only; null for none.</summary>
    /// <value>Default null.</value>
    public string? Schedule { get; set; }

    /// <summary>Read each new backup back and validate it fully before reporting success and applying retention.</summary>
    /// <value>Default true.</value>
    public bool VerifyAfterWrite { get; set; } = true;
}
