using System.Diagnostics.Metrics;
using RoostKeeper.Ha.Diagnostics;

namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>
/// Rolling updates' instruments on the "RoostKeeper.Ha" meter: <c>roost_keeper.rolling_update.started</c>,
/// <c>.succeeded</c>, <c>.rolled_back</c> and <c>.failed</c> (counters, tagged with namespace and deployment;
/// rolled_back and failed also with the failure kind) and <c>roost_keeper.rolling_update.duration</c> (seconds from
/// start to a final phase, tagged with the outcome).
/// </summary>
internal sealed class RollingUpdateMetrics : IDisposable
{
    private readonly Meter? _ownedMeter;

    public RollingUpdateMetrics(IMeterFactory? meterFactory = null)
    {
        var meter = Meter = HaTelemetry.CreateMeter(meterFactory, out _ownedMeter);

        Started = meter.CreateCounter<long>(HaInstruments.RollingUpdatesStarted, "{update}", "Rolling updates started.");
        Succeeded = meter.CreateCounter<long>(HaInstruments.RollingUpdatesSucceeded, "{update}", "Rolling updates that completed and were verified.");
        RolledBack = meter.CreateCounter<long>(HaInstruments.RollingUpdatesRolledBack, "{update}", "Rolling updates rolled back after a failure, by failure kind.");
        Failed = meter.CreateCounter<long>(HaInstruments.RollingUpdatesFailed, "{update}", "Rolling updates that ended Failed or TimedOut, by failure kind.");
        Duration = meter.CreateHistogram<double>(HaInstruments.RollingUpdateDuration, "s", "Time from the start of a rolling update to its final phase, by outcome.");
    }

    /// <summary>The meter the instruments belong to (shared when it came from an <see cref="IMeterFactory"/>).</summary>
    public Meter Meter { get; }

    public Counter<long> Started { get; }

    public Counter<long> Succeeded { get; }

    public Counter<long> RolledBack { get; }

    public Counter<long> Failed { get; }

    public Histogram<double> Duration { get; }

    public void Dispose() => _ownedMeter?.Dispose();
}
