namespace RoostKeeper.Ha.Recovery.Stores;

/// <summary>
/// A backup being written to a store. Disposing it without <see cref="CommitAsync"/> abandons it and removes
/// what was written; a crash leaves at most temporary data that never lists as a backup.
/// </summary>
public interface IBackupUpload : IAsyncDisposable
{
    /// <summary>The stream the archive is written to.</summary>
    Stream Content { get; }

    /// <summary>Makes the backup visible: stores the archive durably, then <paramref name="info"/> last.</summary>
    /// <param name="info">The finished backup's info (its hash and size are those of what was written to <see cref="Content"/>).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the backup lists.</returns>
    Task CommitAsync(BackupInfo info, CancellationToken cancellationToken);
}
