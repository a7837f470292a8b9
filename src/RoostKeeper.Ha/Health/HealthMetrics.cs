using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RoostKeeper.Ha.Diagnostics;

namespace RoostKeeper.Ha.Health;

/// <summary>
/// The health instruments, created once on the shared "RoostKeeper.Ha" meter. Prometheus exporters show
/// them as <c>roost_keeper_health_status</c> (per check: 2 Healthy, 1 Degraded, 0 Unhealthy, the values of
/// <see cref="HealthStatus"/>), <c>roost_keeper_health_overall_status</c> and
/// <c>roost_keeper_health_check_duration_seconds</c> (a histogram, by check and status), and with step-down on
/// <c>roost_keeper_health_hand_overs_total</c> and <c>roost_keeper_health_hand_over_budget</c>.
/// </summary>
internal sealed class HealthMetrics
{
    private readonly ConcurrentDictionary<object, Func<(string Identity, HealthReport? Report)>> _monitors = new();
    private readonly ConcurrentDictionary<object, Func<(string Lease, int Remaining)>> _budgets = new();
    private readonly Counter<long> _handOvers;

    public HealthMetrics(Meter meter)
    {
        Meter = meter;
        meter.CreateObservableGauge(HaInstruments.HealthStatus, ObserveChecks, "{status}", "Status of each health check in the last periodic round: 2 Healthy, 1 Degraded, 0 Unhealthy.");
        meter.CreateObservableGauge(HaInstruments.HealthOverallStatus, ObserveOverall, "{status}", "Overall health in the last periodic round (the worst check): 2 Healthy, 1 Degraded, 0 Unhealthy.");
        CheckDuration = meter.CreateHistogram<double>(HaInstruments.HealthCheckDuration, "s", "How long each health check took, by check and status.");
        _handOvers = meter.CreateCounter<long>(HaInstruments.HealthHandOvers, "{hand-over}", "Hand-overs of leadership made by the step-down policy because the leader was Unhealthy.");
        meter.CreateObservableGauge(HaInstruments.HealthHandOverBudget, ObserveBudgets, "{hand-over}", "Health-driven hand-overs still allowed in the current HandOverWindow (MaxHandOvers minus those the Lease remembers).");
    }

    /// <summary>The meter the instruments belong to.</summary>
    public Meter Meter { get; }

    /// <summary>Counts one hand-over by <paramref name="identity"/> of <paramref name="lease"/>.</summary>
    public void HandedOver(string lease, string identity) =>
        _handOvers.Add(1, new KeyValuePair<string, object?>("lease", lease), new KeyValuePair<string, object?>("identity", identity));

    /// <summary>Includes a step-down policy's remaining budget in the gauge until the returned handle is disposed.</summary>
    public IDisposable TrackBudget(Func<(string Lease, int Remaining)> remaining)
    {
        var key = new object();
        _budgets[key] = remaining;
        return new Untrack(() => _budgets.TryRemove(key, out _));
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

    private IEnumerable<Measurement<int>> ObserveBudgets()
    {
        foreach (var remaining in _budgets.Values)
        {
            var (lease, count) = remaining();
            yield return new Measurement<int>(count, new KeyValuePair<string, object?>("lease", lease));
        }
    }

    private sealed class Untrack(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
