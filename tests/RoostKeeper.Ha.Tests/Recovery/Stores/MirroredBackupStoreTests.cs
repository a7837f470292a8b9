using k8s;
using RoostKeeper.Ha.Recovery;
using RoostKeeper.Ha.Recovery.Stores;

namespace RoostKeeper.Ha.Tests.Recovery.Stores;

public sealed class MirroredBackupStoreTests
{
    private static BackupOptions Plain => RecoveryTestBed.Options(secrets: false, encrypt: false);

    [Fact]
    public async Task Both_sides_get_a_valid_copy()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 4, namespaces: 1);
        var mirror = new MirroredBackupStore(bed.Store("east"), bed.Store("west"));
        var backup = await bed.Manager("backup", Plain, mirror).CreateBackupAsync();

        var copies = await mirror.CheckCopiesAsync(backup.Id);

        Assert.All(copies, c => Assert.Equal(MirrorCopyState.Valid, c.State));
        Assert.Equal(
            await File.ReadAllBytesAsync(Path.Combine(bed.Directory, "east", backup.Id + ".tar")),
            await File.ReadAllBytesAsync(Path.Combine(bed.Directory, "west", backup.Id + ".tar")));
    }

    [Fact]
    public async Task A_corrupt_copy_is_reported_and_the_restore_reads_the_other()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 4, namespaces: 1);
        var logger = new LogCollector();
        var mirror = new MirroredBackupStore(bed.Store("east"), bed.Store("west"), logger.Logger);
        var manager = bed.Manager("restorer", Plain, mirror);
        var backup = await manager.CreateBackupAsync();
        var east = Path.Combine(bed.Directory, "east", backup.Id + ".tar");
        var bytes = await File.ReadAllBytesAsync(east);
        bytes[600] ^= 0xFF;
        await File.WriteAllBytesAsync(east, bytes);
        await bed.Admin.CustomObjects.DeleteNamespacedCustomObjectAsync(RecoveryTestBed.Group, RecoveryTestBed.Version, "ns-0", RecoveryTestBed.Plural, "roost-00001");

        var copies = await mirror.CheckCopiesAsync(backup.Id);
        var result = await manager.RestoreFromBackupAsync(backup.Id);

        Assert.Equal([MirrorCopyState.Corrupt, MirrorCopyState.Valid], copies.Select(c => c.State));
        Assert.Contains(backup.ArchiveSha256, copies[0].Detail, StringComparison.Ordinal);
        Assert.Equal("roost-00001", Assert.Single(result.Objects, o => o.Outcome == RestoreOutcome.Created).Name);
        Assert.True(logger.Has(3011, "Corrupt"));
    }

    [Fact]
    public async Task A_missing_copy_is_reported_and_the_other_is_used()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 4, namespaces: 1);
        var mirror = new MirroredBackupStore(bed.Store("east"), bed.Store("west"));
        var manager = bed.Manager("backup", Plain, mirror);
        var backup = await manager.CreateBackupAsync();
        await bed.Store("east").DeleteAsync(backup.Id, default);

        Assert.Equal([MirrorCopyState.Missing, MirrorCopyState.Valid], (await mirror.CheckCopiesAsync(backup.Id)).Select(c => c.State));
        Assert.True((await manager.ValidateBackupAsync(backup.Id)).IsValid);
        Assert.Equal([backup.Id], (await manager.ListBackupsAsync()).Select(b => b.Id));
    }

    [Fact]
    public async Task With_one_side_down_backups_and_restores_use_the_other_side()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 4, namespaces: 1);
        var logger = new LogCollector();
        var mirror = new MirroredBackupStore(new UnavailableStore(), bed.Store("west"), logger.Logger);
        var manager = bed.Manager("restorer", Plain, mirror);

        var backup = await manager.CreateBackupAsync();
        await bed.Admin.CustomObjects.DeleteNamespacedCustomObjectAsync(RecoveryTestBed.Group, RecoveryTestBed.Version, "ns-0", RecoveryTestBed.Plural, "roost-00002");
        var result = await manager.RestoreFromBackupAsync(backup.Id);

        Assert.True(result.Succeeded);
        Assert.Equal("roost-00002", Assert.Single(result.Objects, o => o.Outcome == RestoreOutcome.Created).Name);
        Assert.Equal([MirrorCopyState.Unavailable, MirrorCopyState.Valid], (await mirror.CheckCopiesAsync(backup.Id)).Select(c => c.State));
        Assert.True(logger.Has(3011, "connection refused"));
    }

    [Fact]
    public async Task With_both_sides_down_a_backup_fails_and_nothing_lists()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 2, namespaces: 1);
        var mirror = new MirroredBackupStore(new UnavailableStore(), new UnavailableStore());
        var manager = bed.Manager("backup", Plain, mirror);

        await Assert.ThrowsAsync<AggregateException>(() => manager.CreateBackupAsync());
        await Assert.ThrowsAsync<AggregateException>(() => manager.ListBackupsAsync());
    }
}
