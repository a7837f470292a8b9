namespace RoostKeeper.Ha.Recovery.Stores;

/// <summary>
/// What <see cref="RecoveryManager"/> calls its store through: every exception from the store, its uploads and
/// the streams it returns is marked with <see cref="StoreFailures"/> and rethrown unchanged, so that what failed
/// (the store, not the Kubernetes API) is known wherever the exception ends up.
/// </summary>
internal sealed class ObservedBackupStore(IBackupStore inner) : IBackupStore
{
    private readonly string _name = inner.ToString() ?? inner.GetType().Name;

    public Task<IBackupUpload> BeginUploadAsync(string backupId, CancellationToken cancellationToken) =>
        Observe<IBackupUpload>(_name, async () => new Upload(await inner.BeginUploadAsync(backupId, cancellationToken).ConfigureAwait(false), _name));

    public Task<IReadOnlyList<BackupInfo>> ListAsync(CancellationToken cancellationToken) =>
        Observe(_name, () => inner.ListAsync(cancellationToken));

    public Task<BackupListing> ScanAsync(CancellationToken cancellationToken) =>
        Observe(_name, () => inner.ScanAsync(cancellationToken));

    public Task<BackupInfo?> GetAsync(string backupId, CancellationToken cancellationToken) =>
        Observe(_name, () => inner.GetAsync(backupId, cancellationToken));

    public Task<Stream> OpenReadAsync(string backupId, CancellationToken cancellationToken) =>
        Observe<Stream>(_name, async () => new ObservedStream(await inner.OpenReadAsync(backupId, cancellationToken).ConfigureAwait(false), _name));

    public Task DeleteAsync(string backupId, CancellationToken cancellationToken) =>
        Observe(_name, async () =>
        {
            await inner.DeleteAsync(backupId, cancellationToken).ConfigureAwait(false);
            return true;
        });

    public override string ToString() => _name;

    /// <summary>Runs one store call; whatever it throws (synchronously or not) is marked as the store's and rethrown.</summary>
    private static async Task<T> Observe<T>(string store, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            StoreFailures.Mark(e, store);
            throw;
        }
    }

    private sealed class Upload(IBackupUpload inner, string name) : IBackupUpload
    {
        private ObservedStream? _content;

        public Stream Content => _content ??= new ObservedStream(inner.Content, name);

        public Task<Stream?> StageAsync(BackupInfo info, CancellationToken cancellationToken) =>
            Observe(name, async () => await inner.StageAsync(info, cancellationToken).ConfigureAwait(false) is { } staged ? new ObservedStream(staged, name) : (Stream?)null);

        public Task CommitAsync(BackupInfo info, CancellationToken cancellationToken) =>
            Observe(name, async () =>
            {
                await inner.CommitAsync(info, cancellationToken).ConfigureAwait(false);
                return true;
            });

        public async ValueTask DisposeAsync() =>
            await Observe(name, async () =>
            {
                await inner.DisposeAsync().ConfigureAwait(false);
                return true;
            }).ConfigureAwait(false);
    }
}
