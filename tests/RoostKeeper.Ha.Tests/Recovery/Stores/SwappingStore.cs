using RoostKeeper.Ha.Recovery;
using RoostKeeper.Ha.Recovery.Stores;

namespace RoostKeeper.Ha.Tests.Recovery.Stores;

/// <summary>
/// A store that serves other bytes from the Nth OpenReadAsync on (N = 2: the restore's read after its
/// validation), as a store changed between two reads, or one that lies.
/// </summary>
public sealed class SwappingStore(IBackupStore inner, Func<byte[], byte[]> swap, int fromOpen = 2) : IBackupStore
{
    private int _opens;

    public Task<IBackupUpload> BeginUploadAsync(string backupId, CancellationToken cancellationToken) => inner.BeginUploadAsync(backupId, cancellationToken);

    public Task<IReadOnlyList<BackupInfo>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

    public Task<BackupInfo?> GetAsync(string backupId, CancellationToken cancellationToken) => inner.GetAsync(backupId, cancellationToken);

    public async Task<Stream> OpenReadAsync(string backupId, CancellationToken cancellationToken)
    {
        var stream = await inner.OpenReadAsync(backupId, cancellationToken);
        if (Interlocked.Increment(ref _opens) < fromOpen)
        {
            return stream;
        }

        await using (stream)
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken);
            return new MemoryStream(swap(buffer.ToArray()));
        }
    }

    public Task DeleteAsync(string backupId, CancellationToken cancellationToken) => inner.DeleteAsync(backupId, cancellationToken);
}
