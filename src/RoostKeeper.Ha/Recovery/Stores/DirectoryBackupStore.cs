namespace RoostKeeper.Ha.Recovery.Stores;

/// <summary>
/// Keeps backups as files in one directory: <c>{id}.tar</c> (or <c>{id}.tar.enc</c> when encrypted) and
/// <c>{id}.json</c>, its <see cref="BackupInfo"/>. Other files may share the directory: a <c>.json</c> file
/// that is not a backup's info is reported by <see cref="ScanAsync"/> and never stops a listing. Both are written under a temporary name, flushed to disk
/// and renamed into place, the archive first: a backup lists only once its info file exists, so an
/// interrupted backup leaves at most a hidden <c>.tmp</c> file that never lists.
/// </summary>
public sealed class DirectoryBackupStore : IBackupStore
{
    private const string InfoExtension = ".json";
    private const string PlainExtension = ".tar";
    private const string EncryptedExtension = ".tar.enc";
    private const string TemporaryExtension = ".tmp";

    /// <summary>Creates the store; the directory is created when missing.</summary>
    /// <param name="path">The directory.</param>
    public DirectoryBackupStore(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        DirectoryPath = Path.GetFullPath(path);
    }

    /// <summary>The directory backups are kept in.</summary>
    public string DirectoryPath { get; }

    /// <inheritdoc />
    public Task<IBackupUpload> BeginUploadAsync(string backupId, CancellationToken cancellationToken)
    {
        CheckId(backupId);
        Directory.CreateDirectory(DirectoryPath);
        var temporary = Path.Combine(DirectoryPath, $".{backupId}.{Guid.NewGuid():N}{TemporaryExtension}");
        var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous);
        return Task.FromResult<IBackupUpload>(new Upload(this, backupId, temporary, stream));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<BackupInfo>> ListAsync(CancellationToken cancellationToken) =>
        (await ScanAsync(cancellationToken).ConfigureAwait(false)).Backups;

    /// <inheritdoc />
    public async Task<BackupListing> ScanAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(DirectoryPath))
        {
            return new BackupListing([], []);
        }

        var backups = new List<BackupInfo>();
        var unreadable = new List<UnreadableStoreEntry>();
        foreach (var file in Directory.EnumerateFiles(DirectoryPath, "*" + InfoExtension))
        {
            var id = Path.GetFileName(file)[..^InfoExtension.Length];
            if (id.StartsWith('.'))
            {
                continue;
            }

            // A directory shared with other files (a README.json, an editor's copy) must not stop the listing:
            // each entry that is not a backup is reported by name and the others are listed.
            try
            {
                var info = await GetAsync(id, cancellationToken).ConfigureAwait(false);
                if (info is null)
                {
                    if (File.Exists(file))
                    {
                        unreadable.Add(new UnreadableStoreEntry(file, $"no archive {id}{PlainExtension} or {id}{EncryptedExtension} next to it"));
                    }
                }
                else if (!string.Equals(info.Id, id, StringComparison.Ordinal))
                {
                    unreadable.Add(new UnreadableStoreEntry(file, $"it names backup {info.Id}, not {id}"));
                }
                else
                {
                    backups.Add(info);
                }
            }
            catch (Exception e) when (e is BackupIntegrityException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                unreadable.Add(new UnreadableStoreEntry(file, e is BackupIntegrityException integrity ? integrity.Detail : e.Message));
            }
        }

        return new BackupListing(backups, unreadable);
    }

    /// <inheritdoc />
    public async Task<BackupInfo?> GetAsync(string backupId, CancellationToken cancellationToken)
    {
        CheckId(backupId);
        var infoPath = Path.Combine(DirectoryPath, backupId + InfoExtension);
        byte[] json;
        try
        {
            json = await File.ReadAllBytesAsync(infoPath, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        var info = BackupInfo.FromJson(json, backupId, infoPath);
        return File.Exists(ArchivePath(backupId, info.Encryption is not null)) ? info : null;
    }

    /// <inheritdoc />
    public async Task<Stream> OpenReadAsync(string backupId, CancellationToken cancellationToken)
    {
        var info = await GetAsync(backupId, cancellationToken).ConfigureAwait(false)
            ?? throw new BackupNotFoundException(backupId, ToString());
        return new FileStream(ArchivePath(backupId, info.Encryption is not null), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);
    }

    /// <inheritdoc />
    public Task DeleteAsync(string backupId, CancellationToken cancellationToken)
    {
        CheckId(backupId);
        File.Delete(Path.Combine(DirectoryPath, backupId + InfoExtension));
        File.Delete(ArchivePath(backupId, encrypted: false));
        File.Delete(ArchivePath(backupId, encrypted: true));
        return Task.CompletedTask;
    }

    /// <summary>"directory {path}".</summary>
    /// <returns>The description.</returns>
    public override string ToString() => $"directory {DirectoryPath}";

    private static void CheckId(string backupId)
    {
        ArgumentException.ThrowIfNullOrEmpty(backupId);
        if (backupId.IndexOfAny(['/', '\\']) >= 0 || backupId.StartsWith('.'))
        {
            throw new ArgumentException($"Backup id \"{backupId}\" is not a valid file name.", nameof(backupId));
        }
    }

    private string ArchivePath(string backupId, bool encrypted) =>
        Path.Combine(DirectoryPath, backupId + (encrypted ? EncryptedExtension : PlainExtension));

    private static async Task WriteDurablyAsync(string path, byte[] content, CancellationToken cancellationToken)
    {
        var temporary = path + $".{Guid.NewGuid():N}{TemporaryExtension}";
        var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    private sealed class Upload(DirectoryBackupStore store, string backupId, string temporary, FileStream stream) : IBackupUpload
    {
        private bool _committed;
        private bool _staged;
        private string? _archive;

        public Stream Content => stream;

        public async Task<Stream?> StageAsync(BackupInfo info, CancellationToken cancellationToken)
        {
            CheckInfo(info);
            await FlushToDiskAsync(cancellationToken).ConfigureAwait(false);

            // Read back from the hidden temporary file: it never lists, and the commit only renames it, which
            // does not change a byte of what was validated.
            return new FileStream(temporary, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }

        public async Task CommitAsync(BackupInfo info, CancellationToken cancellationToken)
        {
            CheckInfo(info);
            await FlushToDiskAsync(cancellationToken).ConfigureAwait(false);
            _archive = store.ArchivePath(backupId, info.Encryption is not null);
            File.Move(temporary, _archive, overwrite: true);
            await WriteDurablyAsync(Path.Combine(store.DirectoryPath, backupId + InfoExtension), info.ToJson(), cancellationToken).ConfigureAwait(false);
            _committed = true;
        }

        private void CheckInfo(BackupInfo info)
        {
            if (info.Id != backupId)
            {
                throw new ArgumentException($"The info is for backup {info.Id}, but this upload is backup {backupId}.", nameof(info));
            }
        }

        private async Task FlushToDiskAsync(CancellationToken cancellationToken)
        {
            if (_staged)
            {
                return;
            }

            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
            await stream.DisposeAsync().ConfigureAwait(false);
            _staged = true;
        }

        public async ValueTask DisposeAsync()
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            if (!_committed)
            {
                File.Delete(temporary);
                if (_archive is not null)
                {
                    // Moved into place but its info was never written (cancelled, disk full): it would never
                    // list, so it is removed rather than left as an orphan file.
                    File.Delete(_archive);
                }
            }
        }
    }
}
