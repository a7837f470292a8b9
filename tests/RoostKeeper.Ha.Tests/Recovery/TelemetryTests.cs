using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;
using RoostKeeper.Ha.Diagnostics;
using RoostKeeper.Ha.Recovery;

namespace RoostKeeper.Ha.Tests.Recovery;

public sealed class TelemetryTests
{
    [Fact]
    public async Task A_backup_and_a_refused_restore_are_counted_timed_and_traced()
    {
        await using var bed = await RecoveryTestBed.StartAsync();
        await bed.SeedAsync(roosts: 3, namespaces: 1);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var measurements = new ConcurrentBag<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == HaTelemetry.Name && instrument.Name.StartsWith("roost_keeper.", StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Add((i.Name, v, Tags(tags))));
        meters.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Add((i.Name, v, Tags(tags))));
        meters.Start();
        var activities = new ConcurrentBag<Activity>();
        using var tracing = new ActivityListener
        {
            ShouldListenTo = s => s.Name == HaTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Add,
        };
        ActivitySource.AddActivityListener(tracing);
        var options = RecoveryTestBed.Options(secrets: false, encrypt: false);
        var manager = bed.Manager("telemetry", options, time: time);

        var backup = await manager.CreateBackupAsync();
        var path = ArchiveTampering.ArchivePath(bed.Directory, backup);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..2000]);
        await Assert.ThrowsAsync<BackupIntegrityException>(() => manager.RestoreFromBackupAsync(backup.Id));
        meters.RecordObservableInstruments();

        bool Has(string instrument, string operation, string outcome) => measurements.Any(m =>
            m.Instrument == instrument && Equals(m.Tags.GetValueOrDefault("operation"), operation) && Equals(m.Tags.GetValueOrDefault("outcome"), outcome));
        Assert.True(Has("roost_keeper.recovery.operations", "backup", "started"));
        Assert.True(Has("roost_keeper.recovery.operations", "backup", "succeeded"));
        Assert.True(Has("roost_keeper.recovery.duration", "backup", "succeeded"));
        Assert.True(Has("roost_keeper.recovery.operations", "restore", "failed"));
        Assert.True(Has("roost_keeper.recovery.operations", "validate", "failed"));
        Assert.Contains(measurements, m => m.Instrument == "roost_keeper.recovery.objects" && Equals(m.Tags.GetValueOrDefault("operation"), "backup") && m.Value >= backup.ObjectCount);
        Assert.Contains(measurements, m => m.Instrument == HaInstruments.RecoveryLastSuccessfulBackupTime && m.Value == time.GetUtcNow().ToUnixTimeSeconds());
        Assert.Contains(activities, a => a.OperationName == HaActivities.Backup && (string?)a.GetTagItem("backup.id") == backup.Id && a.Status == ActivityStatusCode.Ok);
        Assert.Contains(activities, a => a.OperationName == HaActivities.Restore && (string?)a.GetTagItem("backup.id") == backup.Id && a.Status == ActivityStatusCode.Error);
    }

    private static Dictionary<string, object?> Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            result[tag.Key] = tag.Value;
        }

        return result;
    }
}
