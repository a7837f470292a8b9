using RoostKeeper.Ha.KubernetesApi;
using RoostKeeper.Ha.Recovery;
using RoostKeeper.Ha.Recovery.Stores;

namespace RoostKeeper.Ha.Tests.Recovery.Stores;

/// <summary>
/// A store throws IOException and HttpRequestException too; what RecoveryManager's store throws is the store's,
/// not the Kubernetes API's, wherever it ends up, and its type and message are unchanged.
/// </summary>
public sealed class StoreFailureClassificationTests
{
    [Fact]
    public async Task A_store_that_cannot_read_a_backup_back_is_the_stores_failure_not_the_keys_or_the_APIs()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 2, namespaces: 1);
        var store = new FailingStore(bed.Store()) { Reads = new IOException("read-back failed on /mnt/backups") };
        var manager = bed.Manager("backup", RecoveryTestBed.Options(), store);

        // Before, the read-back's IOException read as an API failure and was reported as "reading the encryption key failed".
        var error = await Assert.ThrowsAsync<IOException>(() => manager.CreateBackupAsync());

        Assert.Equal("read-back failed on /mnt/backups", error.Message);
        Assert.True(StoreFailures.IsFromStore(error));
        Assert.False(KubernetesApiErrors.IsApiOrNetwork(error));
        Assert.Empty(await manager.ListBackupsAsync());
    }

    [Fact]
    public async Task A_write_to_the_upload_stream_that_fails_is_the_stores()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 2, namespaces: 1);
        var store = new FailingStore(bed.Store()) { Writes = new HttpRequestException("bucket unreachable") };
        var manager = bed.Manager("backup", RecoveryTestBed.Options(), store);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => manager.CreateBackupAsync());

        Assert.True(StoreFailures.IsFromStore(error));
        Assert.Equal(ApiErrorKind.Unexpected, KubernetesApiErrors.Classify(error));
    }

    [Fact]
    public async Task Listing_and_validation_failures_of_the_store_are_marked_and_the_API_classification_is_unchanged_otherwise()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        var manager = bed.Manager("backup", RecoveryTestBed.Options(), new UnavailableStore());

        var list = await Assert.ThrowsAsync<IOException>(() => manager.ListBackupsAsync());
        var validate = await Assert.ThrowsAsync<IOException>(() => manager.ValidateBackupAsync("20260101-000000-abcdef"));

        Assert.True(StoreFailures.IsFromStore(list));
        Assert.True(StoreFailures.IsFromStore(validate));
        Assert.Equal(ApiErrorKind.Transient, KubernetesApiErrors.Classify(new IOException("a network failure of an API call")));
        Assert.False(StoreFailures.IsFromStore(new IOException("not through a store")));
    }

    /// <summary>A directory store whose archive reads, or whose upload stream's writes, fail.</summary>
    private sealed class FailingStore(IBackupStore inner) : IBackupStore
    {
        public Exception? Reads { get; init; }

        public Exception? Writes { get; init; }

        public async Task<IBackupUpload> BeginUploadAsync(string backupId, CancellationToken cancellationToken)
        {
            var upload = await inner.BeginUploadAsync(backupId, cancellationToken);
            // A staging store reads the archive back through its upload; a failing read fails there too.
            return Writes is not null || Reads is not null ? new FailingUpload(upload, Writes, Reads) : upload;
        }

        public Task<IReadOnlyList<BackupInfo>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

        public Task<BackupInfo?> GetAsync(string backupId, CancellationToken cancellationToken) => inner.GetAsync(backupId, cancellationToken);

        public Task<Stream> OpenReadAsync(string backupId, CancellationToken cancellationToken) =>
            Reads is { } error ? Task.FromException<Stream>(error) : inner.OpenReadAsync(backupId, cancellationToken);

        public Task DeleteAsync(string backupId, CancellationToken cancellationToken) => inner.DeleteAsync(backupId, cancellationToken);
    }

    private sealed class FailingUpload(IBackupUpload inner, Exception? writes, Exception? reads) : IBackupUpload
    {
        public Stream Content { get; } = writes is null ? inner.Content : new FailingStream(writes);

        public async Task<Stream?> StageAsync(BackupInfo info, CancellationToken cancellationToken)
        {
            var staged = await inner.StageAsync(info, cancellationToken);
            if (reads is not null && staged is not null)
            {
                await staged.DisposeAsync();
                throw reads;
            }

            return staged;
        }

        public Task CommitAsync(BackupInfo info, CancellationToken cancellationToken) => inner.CommitAsync(info, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    private sealed class FailingStream(Exception error) : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count) => throw error;

        public override void Write(ReadOnlySpan<byte> buffer) => throw error;

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => throw error;

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => throw error;
    }
}
