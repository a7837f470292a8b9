namespace RoostKeeper.Ha.Recovery.Stores;

/// <summary>
/// What <see cref="RecoveryManager"/> calls its store through: every exception from the store, its uploads and
/// the streams it returns is marked with <see cref="StoreFailures"/> and rethrown unchanged, so that what failed
/// (the store, not the Kubernetes API) is known wherever the exception ends up.
/// </summary>
internal sealed class ObservedBackupStore(IBackupStore inner) : IBackupStore
{
    private readonly string _name = inner.ToString() ?? inner.GetType().Name;

    public async Task<IBackupUpload> BeginUploadAsync(string backupId, CancellationToken cancellationToken)
    {
        try
        {
            return new Upload(await inner.BeginUploadAsync(backupId, cancellationToken).ConfigureAwait(false), _name);
        }
        catch (Exception e)
        {
            StoreFailures.Mark(e, _name);
            throw;
        }
    }

    public async Task<IReadOnlyList<BackupInfo>> ListAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await inner.ListAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            StoreFailures.Mark(e, _name);
            throw;
        }
    }

    public async Task<BackupListing> ScanAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await inner.ScanAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            StoreFailures.Mark(e, _name);
            throw;
        }
    }

    public async Task<BackupInfo?> GetAsync(string backupId, CancellationToken cancellationToken)
    {
        try
        {
            return await inner.GetAsync(backupId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            StoreFailures.Mark(e, _name);
            throw;
        }
    }

    public async Task<Stream> OpenReadAsync(string backupId, CancellationToken cancellationToken)
    {
        try
        {
            return new ObservedStream(await inner.OpenReadAsync(backupId, cancellationToken).ConfigureAwait(false), _name);
        }
        catch (Exception e)
        {
            StoreFailures.Mark(e, _name);
            throw;
        }
    }

    public async Task DeleteAsync(string backupId, CancellationToken cancellationToken)
    {
        try
        {
            await inner.DeleteAsync(backupId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            StoreFailures.Mark(e, _name);
            throw;
        }
    }

    public override string ToString() => _name;

    private sealed class Upload(IBackupUpload inner, string name) : IBackupUpload
    {
        private ObservedStream? _content;

        public Stream Content => _content ??= new ObservedStream(inner.Content, name);

        public async Task<Stream?> StageAsync(BackupInfo info, CancellationToken cancellationToken)
        {
            try
            {
                var staged = await inner.StageAsync(info, cancellationToken).ConfigureAwait(false);
                return staged is null ? null : new ObservedStream(staged, name);
            }
            catch (Exception e)
            {
                StoreFailures.Mark(e, name);
                throw;
            }
        }

        public async Task CommitAsync(BackupInfo info, CancellationToken cancellationToken)
        {
            try
            {
                await inner.CommitAsync(info, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                StoreFailures.Mark(e, name);
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await inner.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                StoreFailures.Mark(e, name);
                throw;
            }
        }
    }
}
