using System.Net;
using Microsoft.Extensions.Time.Testing;
using RoostKeeper.Ha.Recovery;
using RoostKeeper.Ha.Recovery.Scheduling;

namespace RoostKeeper.Ha.Tests.Recovery;

public sealed class ScheduleAndRetentionTests
{
    private const int NextScheduledEvent = 3009;
    private const string EverySixHours = "0 */6 * * *";
    private static readonly DateTimeOffset Midnight = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static BackupOptions Plain => RecoveryTestBed.Options(secrets: false, encrypt: false);

    [Fact]
    public async Task A_new_leader_continues_the_schedule_without_running_a_slot_twice()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 3, namespaces: 1);
        var time = new FakeTimeProvider(Midnight);
        var (runA, termA, logA) = Start(bed, "replica-a", time);

        await WaitForSlotsAsync(bed, [Midnight]);
        await RecoveryTestBed.WaitUntilAsync(() => Task.FromResult(logA.Has(NextScheduledEvent, "06:00")), "replica-a waits for 06:00");
        time.SetUtcNow(Midnight.AddHours(6));
        await WaitForSlotsAsync(bed, [Midnight, Midnight.AddHours(6)]);
        await RecoveryTestBed.WaitUntilAsync(() => Task.FromResult(logA.Has(NextScheduledEvent, "12:00")), "replica-a waits for 12:00");

        await termA.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runA);
        time.Advance(TimeSpan.FromMinutes(20));
        var (runB, termB, logB) = Start(bed, "replica-b", time);
        await RecoveryTestBed.WaitUntilAsync(() => Task.FromResult(logB.Has(NextScheduledEvent, "12:00")), "replica-b waits for 12:00");
        Assert.Equal(0, bed.Writes("replica-b"));
        time.SetUtcNow(Midnight.AddHours(12));
        await WaitForSlotsAsync(bed, [Midnight, Midnight.AddHours(6), Midnight.AddHours(12)]);

        await termB.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runB);
        Assert.Equal(3, (await bed.Store().ListAsync(default)).Count);
    }

    [Fact]
    public async Task A_slot_the_old_leader_was_cancelled_in_is_run_by_the_new_leader_at_once()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 3, namespaces: 1);
        var time = new FakeTimeProvider(Midnight);
        var (runA, termA, logA) = Start(bed, "replica-a", time);
        await WaitForSlotsAsync(bed, [Midnight]);
        await RecoveryTestBed.WaitUntilAsync(() => Task.FromResult(logA.Has(NextScheduledEvent, "06:00")), "replica-a waits for 06:00");

        // Replica A's requests hang from now on; it loses leadership while its 06:00 backup is reading.
        var sent = bed.Cluster.Requests.Count("replica-a", "list");
        bed.Cluster.Faults.AddLatency("replica-a", TimeSpan.FromSeconds(3));
        time.SetUtcNow(Midnight.AddHours(6));
        await RecoveryTestBed.WaitUntilAsync(() => Task.FromResult(bed.Cluster.Requests.Count("replica-a", "list") > sent), "replica-a's backup is listing");
        await termA.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runA);
        bed.Cluster.Faults.Clear("replica-a");
        Assert.Single(await bed.Store().ListAsync(default));

        var (runB, termB, logB) = Start(bed, "replica-b", time);
        await WaitForSlotsAsync(bed, [Midnight, Midnight.AddHours(6)]);
        await RecoveryTestBed.WaitUntilAsync(() => Task.FromResult(logB.Has(NextScheduledEvent, "12:00")), "replica-b waits for 12:00");
        await termB.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runB);
        Assert.Equal(2, (await bed.Store().ListAsync(default)).Count);
    }

    [Fact]
    public async Task Retention_keeps_the_newest_count_backups()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 2, namespaces: 1);
        var time = new FakeTimeProvider(Midnight);
        var options = Plain;
        options.Retention = new BackupRetention(3, null);
        var manager = bed.Manager("backup", options, time: time);
        var made = await CreateHourlyAsync(manager, time, 5);

        Assert.Equal(made.Skip(2).Select(b => b.Id).Reverse(), (await manager.ListBackupsAsync()).Select(b => b.Id));
    }

    [Fact]
    public async Task Retention_deletes_backups_older_than_the_maximum_age()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 2, namespaces: 1);
        var time = new FakeTimeProvider(Midnight);
        var options = Plain;
        options.Retention = new BackupRetention(null, TimeSpan.FromHours(2.5));
        var manager = bed.Manager("backup", options, time: time);
        var made = await CreateHourlyAsync(manager, time, 5);

        Assert.Equal(made.Skip(2).Select(b => b.Id).Reverse(), (await manager.ListBackupsAsync()).Select(b => b.Id));
    }

    [Fact]
    public async Task Retention_never_deletes_the_only_valid_backup_and_a_failed_backup_deletes_nothing()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 2, namespaces: 1);
        var time = new FakeTimeProvider(Midnight);
        var options = Plain;
        options.Retention = new BackupRetention(1, TimeSpan.FromMinutes(1));
        var manager = bed.Manager("backup", options, time: time);
        await manager.CreateBackupAsync();
        time.Advance(TimeSpan.FromDays(10));
        var second = await manager.CreateBackupAsync();
        Assert.Equal([second.Id], (await manager.ListBackupsAsync()).Select(b => b.Id));

        time.Advance(TimeSpan.FromDays(10));
        bed.Cluster.Faults.FailNext("backup", HttpStatusCode.Forbidden, 10);
        await Assert.ThrowsAnyAsync<Exception>(() => manager.CreateBackupAsync());

        Assert.Equal([second.Id], (await manager.ListBackupsAsync()).Select(b => b.Id));
        Assert.True((await manager.ValidateBackupAsync(second.Id)).IsValid);
    }

    private static (Task Run, CancellationTokenSource Term, LogCollector Log) Start(RecoveryTestBed bed, string replica, FakeTimeProvider time)
    {
        var log = new LogCollector();
        var term = new CancellationTokenSource();
        var scheduler = new BackupScheduler(bed.Manager(replica, Plain, time: time), EverySixHours, time, log.Logger);
        return (Task.Run(() => scheduler.RunAsync(term.Token)), term, log);
    }

    private static async Task WaitForSlotsAsync(RecoveryTestBed bed, DateTimeOffset[] slots)
    {
        await RecoveryTestBed.WaitUntilAsync(async () => (await bed.Store().ListAsync(default)).Count >= slots.Length, $"{slots.Length} scheduled backups exist");
        var listed = (await bed.Store().ListAsync(default)).Select(b => b.ScheduledFor!.Value).Order().ToArray();
        Assert.Equal(slots, listed);
    }

    /// <summary>Creates <paramref name="count"/> backups an hour apart on <paramref name="time"/>, oldest first.</summary>
    private static async Task<List<BackupInfo>> CreateHourlyAsync(RecoveryManager manager, FakeTimeProvider time, int count)
    {
        var made = new List<BackupInfo>();
        for (var i = 0; i < count; i++)
        {
            made.Add(await manager.CreateBackupAsync());
            time.Advance(TimeSpan.FromHours(1));
        }

        return made;
    }
}
