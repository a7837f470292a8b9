using RoostKeeper.Ha.Recovery;
using RoostKeeper.Ha.Recovery.Stores;

namespace RoostKeeper.Ha.Tests.Recovery.Stores;

/// <summary>A backup lists only once it has been read back from the store and validated.</summary>
public sealed class ListedOnceValidatedTests
{
    private static BackupOptions Plain => RecoveryTestBed.Options(secrets: false, encrypt: false);

    [Fact]
    public async Task Another_manager_does_not_list_a_backup_while_it_is_validated()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 4, namespaces: 1);
        var observer = bed.Manager("observer", Plain);
        var listedDuringValidation = new List<string>();
        var store = new ObservingStore(bed.Store(), async () => listedDuringValidation.AddRange((await observer.ListBackupsAsync()).Select(b => b.Id)));

        var backup = await bed.Manager("backup", Plain, store).CreateBackupAsync();

        Assert.True(store.ReadBack, "the backup was read back for validation");
        Assert.Empty(listedDuringValidation);
        Assert.Equal([backup.Id], (await observer.ListBackupsAsync()).Select(b => b.Id));
    }

    [Fact]
    public async Task A_crash_during_validation_leaves_nothing_that_lists()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 4, namespaces: 1);

        // The disk as a crash while the backup is read back would leave it: copied at that instant (a process
        // that dies runs no clean-up), then listed by the next leader.
        var atCrash = Path.Combine(bed.Directory, "at-crash");
        var store = new ObservingStore(bed.Store("live"), () =>
        {
            Directory.CreateDirectory(atCrash);
            foreach (var file in Directory.GetFiles(Path.Combine(bed.Directory, "live")))
            {
                File.Copy(file, Path.Combine(atCrash, Path.GetFileName(file)));
            }

            return Task.CompletedTask;
        });
        await bed.Manager("backup", Plain, store).CreateBackupAsync();

        Assert.NotEmpty(Directory.GetFiles(atCrash));
        Assert.Empty(await new DirectoryBackupStore(atCrash).ListAsync(default));
        Assert.Empty(await bed.Manager("next-leader", Plain, new DirectoryBackupStore(atCrash)).ListBackupsAsync());
    }

    [Fact]
    public async Task A_backup_that_fails_validation_from_the_store_never_lists()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 4, namespaces: 1);
        var corrupting = new ObservingStore(bed.Store(), () => Task.CompletedTask, corrupt: true);

        var e = await Assert.ThrowsAsync<BackupIntegrityException>(() => bed.Manager("backup", Plain, corrupting).CreateBackupAsync());

        Assert.Equal(BackupProblem.ArchiveHashMismatch, e.Problem);
        Assert.Empty(await bed.Store().ListAsync(default));
        Assert.Empty(Directory.GetFiles(bed.Directory));
    }

    /// <summary>Runs <paramref name="onReadBack"/> when a staged archive is read back (and can corrupt what is read).</summary>
    private sealed class ObservingStore(IBackupStore inner, Func<Task> onReadBack, bool corrupt = false) : IBackupStore
    {
        public bool ReadBack { get; private set; }

        private Func<Task> OnReadBack { get; } = onReadBack;

        private bool Corrupt { get; } = corrupt;

        public async Task<IBackupUpload> BeginUploadAsync(string backupId, CancellationToken cancellationToken) =>
            new ObservingUpload(this, await inner.BeginUploadAsync(backupId, cancellationToken));

        public Task<IReadOnlyList<BackupInfo>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

        public Task<BackupInfo?> GetAsync(string backupId, CancellationToken cancellationToken) => inner.GetAsync(backupId, cancellationToken);

        public async Task<Stream> OpenReadAsync(string backupId, CancellationToken cancellationToken)
        {
            // A store that cannot stage is read back through here after the commit: observed the same way.
            ReadBack = true;
            await OnReadBack();
            return await inner.OpenReadAsync(backupId, cancellationToken);
        }

        public Task DeleteAsync(string backupId, CancellationToken cancellationToken) => inner.DeleteAsync(backupId, cancellationToken);

        private sealed class ObservingUpload(ObservingStore store, IBackupUpload upload) : IBackupUpload
        {
            public Stream Content => upload.Content;

            public async Task<Stream?> StageAsync(BackupInfo info, CancellationToken cancellationToken)
            {
                var staged = await upload.StageAsync(info, cancellationToken);
                if (staged is null)
                {
                    return null;
                }

                store.ReadBack = true;
                await store.OnReadBack();
                if (!store.Corrupt)
                {
                    return staged;
                }

                await using (staged)
                {
                    using var copy = new MemoryStream();
                    await staged.CopyToAsync(copy, cancellationToken);
                    var bytes = copy.ToArray();
                    bytes[^1] ^= 0x01;
                    return new MemoryStream(bytes);
                }
            }

            public Task CommitAsync(BackupInfo info, CancellationToken cancellationToken) => upload.CommitAsync(info, cancellationToken);

            public ValueTask DisposeAsync() => upload.DisposeAsync();
        }
    }
}
