using RoostKeeper.Ha.Recovery;

namespace RoostKeeper.Ha.Tests.Recovery.Stores;

public sealed class DirectoryBackupStoreTests
{
    private static BackupOptions Plain => RecoveryTestBed.Options(secrets: false, encrypt: false);

    [Fact]
    public async Task A_backup_cancelled_mid_write_never_lists_and_leaves_no_file_behind()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 60, namespaces: 2);
        var options = Plain;
        options.PageSize = 10;
        var manager = bed.Manager("backup", options);
        using var cts = new CancellationTokenSource();
        var progress = new SynchronousProgress<BackupProgress>(p =>
        {
            if (p.Objects >= 20)
            {
                cts.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => manager.CreateBackupAsync(progress, cts.Token));

        Assert.Empty(await manager.ListBackupsAsync());
        Assert.Empty(Directory.Exists(bed.Directory) ? Directory.GetFiles(bed.Directory) : []);
    }

    [Fact]
    public async Task An_upload_interrupted_by_a_crash_never_lists_and_later_backups_do()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 4, namespaces: 1);
        var store = bed.Store();

        // A crash: the process dies after writing part of the archive; nothing commits or cleans up.
        var crashed = await store.BeginUploadAsync("20260101-000000-dead00", default);
        await crashed.Content.WriteAsync(new byte[4096]);
        await crashed.Content.FlushAsync();

        Assert.Empty(await store.ListAsync(default));
        Assert.Null(await store.GetAsync("20260101-000000-dead00", default));
        await Assert.ThrowsAsync<BackupNotFoundException>(() => store.OpenReadAsync("20260101-000000-dead00", default));

        var manager = bed.Manager("backup", Plain, store);
        var backup = await manager.CreateBackupAsync();
        Assert.Equal([backup.Id], (await manager.ListBackupsAsync()).Select(b => b.Id));
        await crashed.DisposeAsync();
    }

    [Fact]
    public async Task An_archive_without_its_info_file_does_not_list()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 2, namespaces: 1);
        var manager = bed.Manager("backup", Plain);
        var backup = await manager.CreateBackupAsync();
        File.Delete(ArchiveTampering.InfoPath(bed.Directory, backup.Id));

        Assert.Empty(await manager.ListBackupsAsync());
        await Assert.ThrowsAsync<BackupNotFoundException>(() => manager.GetBackupAsync(backup.Id));
    }

    [Fact]
    public async Task Delete_removes_the_backup_and_a_second_delete_reports_it_missing()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 2, namespaces: 1);
        var manager = bed.Manager("backup", Plain);
        var backup = await manager.CreateBackupAsync();

        await manager.DeleteBackupAsync(backup.Id);

        Assert.Empty(await manager.ListBackupsAsync());
        Assert.Empty(Directory.GetFiles(bed.Directory));
        await Assert.ThrowsAsync<BackupNotFoundException>(() => manager.DeleteBackupAsync(backup.Id));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData(".hidden")]
    public async Task Ids_that_are_not_plain_file_names_are_rejected(string id)
    {
        var store = new RoostKeeper.Ha.Recovery.Stores.DirectoryBackupStore(Path.Combine(Path.GetTempPath(), $"roostha-{Guid.NewGuid():N}"));
        await Assert.ThrowsAsync<ArgumentException>(() => store.BeginUploadAsync(id, default));
    }
}
