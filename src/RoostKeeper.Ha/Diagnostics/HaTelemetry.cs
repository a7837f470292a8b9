using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace RoostKeeper.Ha.Diagnostics;

/// <summary>
/// The name RoostKeeper.Ha publishes its telemetry under: one <see cref="System.Diagnostics.Metrics.Meter"/> and one
/// <see cref="ActivitySource"/>, both named <see cref="Name"/> (the ActivitySource carries the assembly version, the
/// meter none). Subscribe with <c>AddMeter(HaTelemetry.Name)</c> and <c>AddSource(HaTelemetry.Name)</c>; the
/// instruments are named by <see cref="HaInstruments"/>, the activities by <see cref="HaActivities"/>.
/// </summary>
public static class HaTelemetry
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> and of the <see cref="ActivitySource"/>: "RoostKeeper.Ha".</summary>
    public const string Name = "RoostKeeper.Ha";

    internal static readonly ActivitySource ActivitySource = new(Name, typeof(HaTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>
    /// The "RoostKeeper.Ha" meter: from <paramref name="meterFactory"/> when DI has one (it hands out one meter per
    /// name, so every manager's instruments share it), else a meter of the caller's own, returned in
    /// <paramref name="owned"/> for the caller to dispose.
    /// </summary>
    internal static Meter CreateMeter(IMeterFactory? meterFactory, out Meter? owned)
    {
        owned = meterFactory is null ? new Meter(Name) : null;
        return owned ?? meterFactory!.Create(Name);
    }
}
