namespace RoostKeeper.Ha.Recovery.Stores;

/// <summary>
/// Where backups are kept. A store keeps, per backup, the archive and its <see cref="BackupInfo"/>, and
/// makes a backup visible (to <see cref="ListAsync"/>, <see cref="GetAsync"/> and
/// <see cref="OpenReadAsync"/>) only once <see cref="IBackupUpload.CommitAsync"/> has succeeded: an
/// upload that is abandoned or interrupted by a crash never lists as a backup.
/// </summary>
public interface IBackupStore
{
    /// <summary>Starts writing the archive of a new backup.</summary>
    /// <param name="backupId">The new backup's id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The upload: write the archive to its stream, then commit (or dispose to abandon it).</returns>
    Task<IBackupUpload> BeginUploadAsync(string backupId, CancellationToken cancellationToken);

    /// <summary>The complete backups in the store, in no particular order; entries that cannot be read are left out (see <see cref="ScanAsync"/>).</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The backups' info.</returns>
    Task<IReadOnlyList<BackupInfo>> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The complete backups in the store, and the entries that could not be read as one (each named). A
    /// store shared with other files, or holding a damaged info, still lists every backup it can read.
    /// The default implementation calls <see cref="ListAsync"/> and reports nothing unreadable.
    /// </summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The backups' info and the unreadable entries.</returns>
    async Task<BackupListing> ScanAsync(CancellationToken cancellationToken) =>
        new(await ListAsync(cancellationToken).ConfigureAwait(false), []);

    /// <summary>One complete backup's info, or null when the store has no complete backup with the id.</summary>
    /// <param name="backupId">The backup id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The info, or null.</returns>
    Task<BackupInfo?> GetAsync(string backupId, CancellationToken cancellationToken);

    /// <summary>Opens a complete backup's archive for reading from its start.</summary>
    /// <param name="backupId">The backup id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The archive as stored.</returns>
    /// <exception cref="BackupNotFoundException">No complete backup has that id.</exception>
    Task<Stream> OpenReadAsync(string backupId, CancellationToken cancellationToken);

    /// <summary>Deletes a backup (first its info, so it stops listing, then its archive). Deleting one that does not exist does nothing.</summary>
    /// <param name="backupId">The backup id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the backup is gone.</returns>
    Task DeleteAsync(string backupId, CancellationToken cancellationToken);
}
