namespace RoostKeeper.Ha.Recovery.Stores;

/// <summary>
/// A backup being written to a store. Disposing it without <see cref="CommitAsync"/> abandons it and removes
/// what was written; a crash leaves at most temporary data that never lists as a backup.
/// </summary>
public interface IBackupUpload : IAsyncDisposable
{
    /// <summary>The stream the archive is written to.</summary>
    Stream Content { get; }

    /// <summary>
    /// Stores the archive durably without making the backup visible, and opens what was stored for reading
    /// back, so the backup is validated before <see cref="CommitAsync"/> lists it: another manager never lists
    /// a backup under validation, and a crash during validation leaves nothing that lists (its schedule slot is
    /// run again). Returns null when the store cannot (the default); the backup is then validated after the
    /// commit, and deleted when that fails. Disposing the upload without a commit removes what was staged.
    /// </summary>
    /// <param name="info">The finished backup's info.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored archive from its start (the caller disposes it), or null.</returns>
    Task<Stream?> StageAsync(BackupInfo info, CancellationToken cancellationToken) => Task.FromResult<Stream?>(null);

    /// <summary>Makes the backup visible: stores the archive durably (unless <see cref="StageAsync"/> did), then <paramref name="info"/> last.</summary>
    /// <param name="info">The finished backup's info (its hash and size are those of what was written to <see cref="Content"/>).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the backup lists.</returns>
    Task CommitAsync(BackupInfo info, CancellationToken cancellationToken);
}
