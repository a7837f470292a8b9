using System.Diagnostics;

namespace RoostKeeper.Ha.Diagnostics;

/// <summary>The names RoostKeeper.Ha's telemetry is published under, and its one ActivitySource.</summary>
public static class HaTelemetry
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> and of the <see cref="ActivitySource"/>: "RoostKeeper.Ha".</summary>
    public const string Name = "RoostKeeper.Ha";

    internal static readonly ActivitySource ActivitySource = new(Name, typeof(HaTelemetry).Assembly.GetName().Version?.ToString());
}
