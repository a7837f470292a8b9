using System.Diagnostics.Metrics;
using RoostKeeper.Ha.Diagnostics;

namespace RoostKeeper.Ha.Recovery;

/// <summary>
/// The recovery instruments of the "RoostKeeper.Ha" meter: operations started/succeeded/failed (tag
/// <c>operation</c> = backup, restore, validate; tag <c>outcome</c>), their duration, the objects and bytes
/// handled, the Unix time of the last successful backup (alert when it is too old), and the store entries
/// the last listing could not read.
/// </summary>
internal sealed class RecoveryMetrics : IDisposable
{
    private readonly Meter? _ownedMeter;
    private long _lastSuccessfulBackupUnixSeconds;
    private long _unreadableStoreEntries;

    public RecoveryMetrics(IMeterFactory? meterFactory = null)
    {
        var meter = Meter = HaTelemetry.CreateMeter(meterFactory, out _ownedMeter);

        Operations = meter.CreateCounter<long>(HaInstruments.RecoveryOperations, "{operation}", "Backups, restores and validations, by operation and outcome (started, succeeded, failed).");
        Duration = meter.CreateHistogram<double>(HaInstruments.RecoveryDuration, "s", "Duration of backups, restores and validations, by operation and outcome.");
        Objects = meter.CreateCounter<long>(HaInstruments.RecoveryObjects, "{object}", "Objects backed up, restored or validated, by operation.");
        Bytes = meter.CreateCounter<long>(HaInstruments.RecoveryBytes, "By", "Archive bytes written or read, by operation.");
        meter.CreateObservableGauge(HaInstruments.RecoveryUnreadableStoreEntries, () => Interlocked.Read(ref _unreadableStoreEntries), "{entry}", "Entries of the backup store that the last listing could not read as a backup (foreign files, damaged info).");
        meter.CreateObservableGauge(HaInstruments.RecoveryLastSuccessfulBackupTime, () => Interlocked.Read(ref _lastSuccessfulBackupUnixSeconds), "s", "Unix time of the last successful backup made by this process (0 before the first).");
    }

    /// <summary>The meter the instruments belong to (shared when it came from an <see cref="IMeterFactory"/>).</summary>
    public Meter Meter { get; }

    public Counter<long> Operations { get; }

    public Histogram<double> Duration { get; }

    public Counter<long> Objects { get; }

    public Counter<long> Bytes { get; }

    public void BackupSucceeded(DateTimeOffset at) => Interlocked.Exchange(ref _lastSuccessfulBackupUnixSeconds, at.ToUnixTimeSeconds());

    public void StoreScanned(int unreadable) => Interlocked.Exchange(ref _unreadableStoreEntries, unreadable);

    public void Dispose() => _ownedMeter?.Dispose();
}
