using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RoostKeeper.Ha.AspNetCore.Status;

/// <summary>A health report as JSON: the exception of an entry is reduced to its type and message (no stack trace).</summary>
internal sealed record HealthDocument(HealthStatus Status, double TotalDurationMs, IReadOnlyDictionary<string, CheckDocument> Checks)
{
    public static HealthDocument From(HealthReport report) => new(
        report.Status,
        Math.Round(report.TotalDuration.TotalMilliseconds, 1),
        report.Entries.ToDictionary(
            e => e.Key,
            e => new CheckDocument(
                e.Value.Status,
                e.Value.Description,
                Math.Round(e.Value.Duration.TotalMilliseconds, 1),
                e.Value.Exception is { } x ? $"{x.GetType().Name}: {x.Message}" : null,
                [.. e.Value.Tags],
                e.Value.Data.ToDictionary(d => d.Key, d => Convert.ToString(d.Value, System.Globalization.CultureInfo.InvariantCulture))),
            StringComparer.Ordinal));
}
