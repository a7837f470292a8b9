using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.KubernetesApi;

namespace RoostKeeper.Ha.Health;

/// <summary>
/// Runs the <see cref="HealthManager"/> every Interval for the life of the host: records the metrics, logs
/// each change of a check's status (not every round), and with step-down on, publishes this replica's
/// health and applies the <see cref="StepDownPolicy"/>.
/// </summary>
internal sealed class HealthMonitor : IHostedService, IDisposable
{
    private readonly HealthManager _health;
    private readonly HealthMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _identity;
    private readonly ReplicaHealthLeases? _publication;
    private readonly ILeaderElector? _elector;
    private long? _lastCollection;
    private readonly Dictionary<string, HealthStatus> _previous = new(StringComparer.OrdinalIgnoreCase);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Diagnostics.FailureThrottle _publishFailures;
    private HealthStatus? _previousOverall;
    private Task? _loop;

    public HealthMonitor(HealthManager health, HealthMetrics metrics, ILeaderElector? elector, k8s.IKubernetes client, ILogger logger, TimeProvider time)
    {
        _health = health;
        _metrics = metrics;
        _logger = logger;
        _time = time;
        _identity = elector?.Identity ?? health.Options.PodName ?? Environment.MachineName;
        _publishFailures = new Diagnostics.FailureThrottle(time);
        if (health.Options.StepDownAfter is { } after && elector is not null)
        {
            var settings = elector.Settings;
            _publication = new ReplicaHealthLeases(client, settings.LeaseNamespace, settings.LeaseName, elector.Identity, health.Options.Interval * 3, time);
            StepDown = new StepDownPolicy(elector, _publication, health.Options, time, logger, metrics);
            _elector = elector;
        }
    }

    internal StepDownPolicy? StepDown { get; }

    private int _rounds;

    /// <summary>Completed rounds (for tests).</summary>
    internal int Rounds => Volatile.Read(ref _rounds);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_loop is null)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _stopping.Dispose();

    internal async Task RunAsync(CancellationToken stop)
    {
        using var tracking = _metrics.Track(() => (_identity, _health.LatestReport));
        using var budget = StepDown is { } policy ? _metrics.TrackBudget(() => (_elector!.Settings.LeaseName, policy.BudgetRemaining)) : null;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await RoundAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Checks never throw out of the manager; this is a defect or a failed hand-over. Keep monitoring.
                HealthLog.RoundFailed(_logger, e);
            }

            try
            {
                await Task.Delay(_health.Options.Interval, _time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task RoundAsync(CancellationToken stop)
    {
        var report = await _health.CheckHealthAsync(stop).ConfigureAwait(false);
        _metrics.RecordDurations(_identity, report);
        LogTransitions(report);
        if (_publication is not null)
        {
            try
            {
                await _publication.PublishAsync(report.Status, stop).ConfigureAwait(false);
                if (_publishFailures.Succeeded() is var failures and > 0)
                {
                    HealthLog.PublishRecovered(_logger, _identity, failures);
                }
            }
            catch (Exception e) when (KubernetesApiErrors.IsApiOrNetwork(e) && !stop.IsCancellationRequested)
            {
                // An API answer or a network error says all there is to say in one line; the stack is for Debug.
                var problem = KubernetesApiErrors.Describe(e);
                HealthLog.PublishFailureDetail(_logger, _identity, e);
                if (_publishFailures.Failed(problem) is { Log: true } decision)
                {
                    HealthLog.PublishFailed(_logger, _identity, decision.Changed ? problem : $"{problem} ({decision.Repeats} more times since the last report)");
                }
            }

            await StepDown!.EvaluateAsync(report, stop).ConfigureAwait(false);
            await CollectStaleAsync(stop).ConfigureAwait(false);
        }

        Interlocked.Increment(ref _rounds);
    }

    /// <summary>
    /// How long a health Lease may go unrenewed before the leader deletes it: 20 Intervals, at least 5 minutes
    /// (a replica that merely restarts, or is partitioned for a while, keeps its record).
    /// </summary>
    internal TimeSpan StaleAfter => TimeSpan.FromTicks(Math.Max(TimeSpan.FromMinutes(5).Ticks, _health.Options.Interval.Ticks * 20));

    /// <summary>On the leader, at most once per StaleAfter / 5: deletes the health Leases of replicas that are gone.</summary>
    private async Task CollectStaleAsync(CancellationToken stop)
    {
        var now = _time.GetTimestamp();
        if (_elector?.IsLeader != true || (_lastCollection is { } last && _time.GetElapsedTime(last, now) < StaleAfter / 5))
        {
            return;
        }

        _lastCollection = now;
        try
        {
            foreach (var (lease, identity, renewedAt) in await _publication!.CollectStaleAsync(StaleAfter, stop).ConfigureAwait(false))
            {
                HealthLog.StaleHealthLeaseDeleted(_logger, lease, identity, renewedAt);
            }
        }
        catch (Exception e) when (KubernetesApiErrors.IsApiOrNetwork(e) && !stop.IsCancellationRequested)
        {
            // Without delete on Leases (or with the API away) stale records stay; they are judged stale, never trusted.
            HealthLog.StaleHealthLeasesNotDeleted(_logger, KubernetesApiErrors.Describe(e), e);
        }
    }

    private void LogTransitions(HealthReport report)
    {
        foreach (var (check, entry) in report.Entries)
        {
            // The first round counts as a change from Healthy, so a replica that starts unhealthy says so.
            var first = !_previous.TryGetValue(check, out var p);
            var previous = first ? HealthStatus.Healthy : p;
            if (previous != entry.Status)
            {
                if (first && entry.Status == HealthStatus.Degraded)
                {
                    // Expected at start-up (no leader elected yet, pods still starting): not a warning. Unhealthy still is.
                    HealthLog.CheckStartedDegraded(_logger, check, entry.Status, entry.Description);
                }
                else if (entry.Status < previous)
                {
                    HealthLog.CheckWorsened(_logger, check, previous, entry.Status, entry.Description, entry.Exception);
                }
                else
                {
                    HealthLog.CheckImproved(_logger, check, previous, entry.Status, entry.Description);
                }
            }

            _previous[check] = entry.Status;
        }

        if (_previousOverall is { } overall && overall != report.Status)
        {
            HealthLog.OverallChanged(_logger, _identity, overall, report.Status);
        }

        _previousOverall = report.Status;
    }
}
