namespace RoostKeeper.Ha.Recovery;

/// <summary>No complete backup with the id exists in the store.</summary>
public sealed class BackupNotFoundException : BackupException
{
    /// <summary>Creates the error.</summary>
    /// <param name="backupId">The id asked for.</param>
    /// <param name="store">A description of the store searched.</param>
    public BackupNotFoundException(string backupId, string store)
        : base(backupId, $"No complete backup {backupId} in {store}. List the backups that exist with ListBackupsAsync.")
    {
    }
}
