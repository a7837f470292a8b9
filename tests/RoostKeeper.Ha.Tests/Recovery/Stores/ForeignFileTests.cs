using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RoostKeeper.Ha.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using RoostKeeper.Ha.Recovery;
using RoostKeeper.Ha.Recovery.Scheduling;
using RoostKeeper.Ha.Recovery.Stores;

namespace RoostKeeper.Ha.Tests.Recovery.Stores;

/// <summary>
/// A store shared with other files lists what it can read and names the rest; listings, retention and
/// schedules go on.
/// </summary>
public sealed class ForeignFileTests
{
    private static readonly DateTimeOffset Midnight = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static BackupOptions Plain => RecoveryTestBed.Options(secrets: false, encrypt: false);

    [Fact]
    public async Task A_foreign_json_file_does_not_stop_listing_and_is_named()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 2, namespaces: 1);
        var manager = bed.Manager("backup", Plain);
        var backup = await manager.CreateBackupAsync();
        var readme = Path.Combine(bed.Directory, "README.json");
        File.WriteAllText(readme, """{"title":"backups of the roost keeper"}""");
        File.WriteAllText(Path.Combine(bed.Directory, "notes.json"), "not json at all");

        var listed = await manager.ListBackupsAsync();
        var scan = await manager.ScanStoreAsync();

        Assert.Equal([backup.Id], listed.Select(b => b.Id));
        Assert.Equal([backup.Id], scan.Backups.Select(b => b.Id));
        Assert.Equal(2, scan.Unreadable.Count);
        Assert.Contains(scan.Unreadable, u => u.Name == readme && u.Reason.Contains("not a backup info", StringComparison.Ordinal));
        Assert.Contains(scan.Unreadable, u => u.Name.EndsWith("notes.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_info_file_naming_another_backup_is_not_listed_under_its_file_name()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 2, namespaces: 1);
        var manager = bed.Manager("backup", Plain);
        var backup = await manager.CreateBackupAsync();
        File.Copy(ArchiveTampering.InfoPath(bed.Directory, backup.Id), Path.Combine(bed.Directory, "20200101-000000-abcdef.json"));
        File.Copy(ArchiveTampering.ArchivePath(bed.Directory, backup), Path.Combine(bed.Directory, "20200101-000000-abcdef.tar"));

        var scan = await manager.ScanStoreAsync();

        Assert.Equal([backup.Id], scan.Backups.Select(b => b.Id));
        var entry = Assert.Single(scan.Unreadable);
        Assert.Contains(backup.Id, entry.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retention_goes_on_with_a_foreign_file_in_the_store()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 2, namespaces: 1);
        var time = new FakeTimeProvider(Midnight);
        var options = Plain;
        options.Retention = new BackupRetention(2, null);
        var manager = bed.Manager("backup", options, time: time);
        Directory.CreateDirectory(bed.Directory);
        File.WriteAllText(Path.Combine(bed.Directory, "README.json"), "{}");

        var made = new List<BackupInfo>();
        for (var i = 0; i < 4; i++)
        {
            made.Add(await manager.CreateBackupAsync());
            time.Advance(TimeSpan.FromHours(1));
        }

        Assert.Equal([made[3].Id, made[2].Id], (await manager.ListBackupsAsync()).Select(b => b.Id));
        Assert.True(File.Exists(Path.Combine(bed.Directory, "README.json")));
    }

    [Fact]
    public async Task The_schedule_runs_with_a_foreign_file_in_the_store()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 2, namespaces: 1);
        Directory.CreateDirectory(bed.Directory);
        File.WriteAllText(Path.Combine(bed.Directory, "README.json"), "{}");
        var time = new FakeTimeProvider(Midnight);
        using var term = new CancellationTokenSource();
        var scheduler = new BackupScheduler(bed.Manager("leader", Plain, time: time), "0 */6 * * *", time, new LogCollector().Logger);
        var run = Task.Run(() => scheduler.RunAsync(term.Token));

        await RecoveryTestBed.WaitUntilAsync(async () => (await bed.Store().ListAsync(default)).Count == 1, "the first scheduled backup lists");

        await term.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Equal(Midnight, Assert.Single(await bed.Store().ListAsync(default)).ScheduledFor);
    }

    [Fact]
    public async Task The_health_check_names_the_foreign_file_and_is_healthy_without_it()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 2, namespaces: 1);
        var manager = bed.Manager("backup", Plain);
        await manager.CreateBackupAsync();
        var check = new BackupStoreHealthCheck(manager);
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("backup-store", check, HealthStatus.Degraded, null) };

        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(context)).Status);
        File.WriteAllText(Path.Combine(bed.Directory, "README.json"), "{}");
        var result = await check.CheckHealthAsync(context);

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Contains("README.json", result.Description, StringComparison.Ordinal);
        Assert.Equal(1, result.Data["unreadable"]);
    }

    [Fact]
    public async Task The_gauge_counts_the_unreadable_entries_of_the_last_listing()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 2, namespaces: 1);
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        var manager = new RecoveryManager(bed.Cluster.CreateClient("backup"), Plain, bed.Store(), null, null, null, new RecoveryMetrics(factory));
        await manager.CreateBackupAsync();
        long? observed = null;
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Name == HaInstruments.RecoveryUnreadableStoreEntries)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((_, value, _, _) => observed = value);
        meters.Start();

        File.WriteAllText(Path.Combine(bed.Directory, "README.json"), "{}");
        File.WriteAllText(Path.Combine(bed.Directory, "other.json"), "[]");
        await manager.ListBackupsAsync();
        meters.RecordObservableInstruments();
        Assert.Equal(2, observed);

        File.Delete(Path.Combine(bed.Directory, "README.json"));
        File.Delete(Path.Combine(bed.Directory, "other.json"));
        await manager.ListBackupsAsync();
        meters.RecordObservableInstruments();
        Assert.Equal(0, observed);
    }

    [Fact]
    public async Task The_mirror_lists_both_sides_and_names_a_foreign_file_with_its_side()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 2, namespaces: 1);
        var mirror = new MirroredBackupStore(bed.Store("east"), bed.Store("west"));
        var manager = bed.Manager("backup", Plain, mirror);
        var backup = await manager.CreateBackupAsync();
        File.WriteAllText(Path.Combine(bed.Directory, "west", "README.json"), "{}");

        var scan = await manager.ScanStoreAsync();

        Assert.Equal([backup.Id], scan.Backups.Select(b => b.Id));
        var entry = Assert.Single(scan.Unreadable);
        Assert.StartsWith(bed.Store("west").ToString(), entry.Name, StringComparison.Ordinal);
        Assert.EndsWith("README.json", entry.Name, StringComparison.Ordinal);
    }
}
