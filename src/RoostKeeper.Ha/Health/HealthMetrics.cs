using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RoostKeeper.Ha.Diagnostics;

namespace RoostKeeper.Ha.Health;

/// <summary>
/// The health instruments, created once on the shared "RoostKeeper.Ha" meter. Prometheus exporters show
/// them as <c>roost_keeper_health_status</c> (per check: 2 Healthy, 1 Degraded, 0 Unhealthy, the values of
/// <see cref="HealthStatus"/>), <c>roost_keeper_health_overall_status</c> and
/// <c>roost_keeper_health_check_duration_seconds</c> (a histogram, by check and status).
/// </summary>
internal sealed class HealthMetrics
{
    private readonly ConcurrentDictionary<object, Func<(string Identity, HealthReport? Report)>> _monitors = new();

    public HealthMetrics(Meter meter)
    {
        meter.CreateObservableGauge(HaInstruments.HealthStatus, ObserveChecks, "{status}", "Status of each health check in the last periodic round: 2 Healthy, 1 Degraded, 0 Unhealthy.");
        meter.CreateObservableGauge(HaInstruments.HealthOverallStatus, ObserveOverall, "{status}", "Overall health in the last periodic round (the worst check): 2 Healthy, 1 Degraded, 0 Unhealthy.");
        CheckDuration = meter.CreateHistogram<double>(HaInstruments.HealthCheckDuration, "s", "How long each health check took, by check and status.");
    }

    public Histogram<double> CheckDuration { get; }

    /// <summary>Includes a monitor's latest report in the gauges until the returned handle is disposed.</summary>
    public IDisposable Track(Func<(string Identity, HealthReport? Report)> latest)
    {
        var key = new object();
        _monitors[key] = latest;
        return new Untrack(() => _monitors.TryRemove(key, out _));
    }

    public void RecordDurations(string identity, HealthReport report)
    {
        foreach (var (check, entry) in report.Entries)
        {
            CheckDuration.Record(entry.Duration.TotalSeconds, new("check", check), new("status", entry.Status.ToString()), new("identity", identity));
        }
    }

    private IEnumerable<Measurement<int>> ObserveChecks()
    {
        foreach (var latest in _monitors.Values)
        {
            var (identity, report) = latest();
            if (report is null)
            {
                continue;
            }

            foreach (var (check, entry) in report.Entries)
            {
                yield return new Measurement<int>((int)entry.Status, new("check", check), new("identity", identity));
            }
        }
    }

    private IEnumerable<Measurement<int>> ObserveOverall()
    {
        foreach (var latest in _monitors.Values)
        {
            var (identity, report) = latest();
            if (report is not null)
            {
                yield return new Measurement<int>((int)report.Status, new KeyValuePair<string, object?>("identity", identity));
            }
        }
    }

    private sealed class Untrack(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
