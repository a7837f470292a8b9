using System.Diagnostics;
using System.Diagnostics.Metrics;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Diagnostics;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.KubernetesApi;

namespace RoostKeeper.Ha.Health;

/// <summary>
/// Runs health checks (the built-in Kubernetes ones and any other <see cref="IHealthCheck"/>) concurrently,
/// each under its own timeout, and reports with the <c>Microsoft.Extensions.Diagnostics.HealthChecks</c>
/// types. A check that hangs is reported as timed out without holding the report; a check that throws
/// becomes an entry with its failure status carrying the exception. API reads are shared within a round.
/// Registered by <c>AddRoostHa(...).AddHealthChecks(...)</c>, where it also runs periodically; usable alone
/// through the public constructor.
/// </summary>
public sealed class HealthManager : IDisposable
{
    private readonly IReadOnlyList<HealthCheckRegistration> _registrations;
    private readonly IServiceProvider _services;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly HealthMetrics? _metrics;
    private readonly Meter? _ownedMeter;
    private readonly string _identity = "";
    private HealthReport? _latest;

    /// <summary>Creates a manager that runs the checks <paramref name="configure"/> adds, reading through <paramref name="kubernetes"/>.</summary>
    /// <param name="kubernetes">The client the built-in checks read the API with.</param>
    /// <param name="configure">Adds the checks, e.g. <c>h =&gt; h.AddKubernetesApi().AddReadyPods("app=my-controller", minReady: 2)</c>.</param>
    /// <param name="options">The settings; not modified. Unset Namespace and PodName get their in-pod defaults.</param>
    /// <param name="loggerFactory">Where logs go; none by default.</param>
    /// <param name="timeProvider">The clock for timeouts and durations; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="meterFactory">
    /// Where the "RoostKeeper.Ha" meter comes from; null for a meter of its own, disposed with the manager. Each run
    /// records <c>roost_keeper.health.check.duration</c> per check.
    /// </param>
    /// <exception cref="OptionsValidationException">An option is invalid; the message names it and the rule.</exception>
    public HealthManager(IKubernetes kubernetes, Action<IHealthChecksBuilder> configure, HealthOptions? options = null, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null, IMeterFactory? meterFactory = null)
        : this(kubernetes, configure, options, elector: null, loggerFactory, timeProvider, sharedMeter: null, meterFactory)
    {
    }

    /// <summary>The standalone manager of a replica whose election is <paramref name="elector"/> (<c>HaManager.AddHealthChecks</c>).</summary>
    internal HealthManager(IKubernetes kubernetes, Action<IHealthChecksBuilder> configure, HealthOptions? options, ILeaderElector? elector, ILoggerFactory? loggerFactory, TimeProvider? timeProvider, Meter? sharedMeter, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(kubernetes);
        ArgumentNullException.ThrowIfNull(configure);
        var resolved = HealthDefaults.Resolve(options ?? new HealthOptions(), elector);
        HealthOptionsValidator.ThrowIfInvalid(resolved);
        _time = timeProvider ?? TimeProvider.System;
        var builder = new StandaloneHealthChecksBuilder(kubernetes, resolved, elector, loggerFactory, _time);
        configure(builder);
        _registrations = builder.Registrations;
        ThrowIfDuplicate(_registrations);
        _services = builder.Build();
        Options = resolved;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(HealthLog.Category);

        // Without DI no monitor records the rounds, so the manager records its own runs.
        _metrics = new HealthMetrics(sharedMeter ?? HaTelemetry.CreateMeter(meterFactory, out _ownedMeter));
        _identity = elector?.Identity ?? resolved.PodName ?? Environment.MachineName;
    }

    internal HealthManager(IEnumerable<HealthCheckRegistration> registrations, IServiceProvider services, HealthOptions options, ILogger logger, TimeProvider time)
    {
        _registrations = registrations.ToList();
        ThrowIfDuplicate(_registrations);
        _services = services;
        Options = options;
        _logger = logger;
        _time = time;
    }

    /// <summary>The health <c>HaManager</c> reports when no checks were configured: the leader election check of <paramref name="elector"/> alone.</summary>
    internal static HealthManager ForElection(ILeaderElector elector)
    {
        var options = HealthDefaults.Resolve(new HealthOptions(), elector);
        var registration = new HealthCheckRegistration(
            "leader-election",
            _ => new Checks.LeaderElectionHealthCheck(elector, TimeSpan.FromSeconds(20), elector.Time),
            HealthStatus.Unhealthy,
            [RoostHealthTags.Live, RoostHealthTags.RoostHa]);
        return new HealthManager([registration], EmptyServices.Instance, options, NullLogger.Instance, elector.Time);
    }

    /// <summary>The names of the checks this manager runs, in registration order.</summary>
    public IReadOnlyList<string> CheckNames => _registrations.Select(r => r.Name).ToList();

    /// <summary>The report of the last completed run (periodic or on demand), or null before the first.</summary>
    public HealthReport? LatestReport => Volatile.Read(ref _latest);

    internal HealthOptions Options { get; }

    /// <summary>The API reads the last completed run started (shared reads counted once).</summary>
    internal int LastRoundReads { get; private set; }

    /// <summary>Runs every check once, concurrently, and reports.</summary>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The report: overall status (the worst entry), and per check status, description, duration, exception and data.</returns>
    public Task<HealthReport> CheckHealthAsync(CancellationToken cancellationToken) => CheckHealthAsync(null, cancellationToken);

    /// <summary>Runs the checks <paramref name="predicate"/> selects once, concurrently, and reports.</summary>
    /// <param name="predicate">Selects checks, e.g. by tag; null for all.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The report of the selected checks.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<HealthReport> CheckHealthAsync(Func<HealthCheckRegistration, bool>? predicate, CancellationToken cancellationToken = default)
    {
        var selected = predicate is null ? _registrations : _registrations.Where(predicate).ToList();
        var started = _time.GetTimestamp();
        using var round = new HealthRound();
        round.Enter();
        var runs = selected.Select(r => RunAsync(r, cancellationToken)).ToArray();
        var entries = await Task.WhenAll(runs).ConfigureAwait(false);
        var report = new HealthReport(
            selected.Select((r, i) => (r.Name, Entry: entries[i])).ToDictionary(p => p.Name, p => p.Entry, StringComparer.OrdinalIgnoreCase),
            _time.GetElapsedTime(started));
        LastRoundReads = round.ReadCount;
        _metrics?.RecordDurations(_identity, report);
        if (predicate is null)
        {
            Volatile.Write(ref _latest, report);
        }

        return report;
    }

    private async Task<HealthReportEntry> RunAsync(HealthCheckRegistration registration, CancellationToken cancellationToken)
    {
        // Yield first so that a check that blocks synchronously cannot hold the others (or the caller).
        await Task.Yield();
        var timeout = registration.Timeout > TimeSpan.Zero ? registration.Timeout : Options.CheckTimeout;
        var started = _time.GetTimestamp();
        using var activity = Diagnostics.HaTelemetry.ActivitySource.StartActivity(Diagnostics.HaActivities.HealthCheck);
        activity?.SetTag("health.check", registration.Name);
        using var timer = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        Task<HealthCheckResult>? check = null;
        var scope = _services.GetService<IServiceScopeFactory>()?.CreateAsyncScope();
        try
        {
            // One scope per check, as ASP.NET Core's own health check service does, so scoped
            // dependencies of custom checks are not shared between concurrently running checks.
            var provider = scope?.ServiceProvider ?? _services;
            var context = new HealthCheckContext { Registration = registration };
            check = Task.Run(() => registration.Factory(provider).CheckHealthAsync(context, linked.Token), CancellationToken.None);
            var result = await check.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
            activity?.SetTag("health.status", result.Status.ToString());
            return new HealthReportEntry(result.Status, result.Description, _time.GetElapsedTime(started), result.Exception, result.Data, registration.Tags);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && (e is TimeoutException || (e is OperationCanceledException && timer.IsCancellationRequested)))
        {
            // Tell the check (it may not have seen the timer yet) before its token source is disposed.
            await linked.CancelAsync().ConfigureAwait(false);
            HealthLog.CheckTimedOut(_logger, registration.Name, timeout);
            activity?.SetStatus(ActivityStatusCode.Error, "timed out");
            return new HealthReportEntry(
                registration.FailureStatus,
                $"Timed out after {timeout.TotalSeconds:0.###}s.",
                _time.GetElapsedTime(started),
                e as TimeoutException ?? new TimeoutException($"Health check {registration.Name} timed out after {timeout.TotalSeconds:0.###}s.", e),
                null,
                registration.Tags);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            HealthLog.CheckThrew(_logger, registration.Name, e);
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            return new HealthReportEntry(registration.FailureStatus, DescribeFailure(e), _time.GetElapsedTime(started), e, null, registration.Tags);
        }
        finally
        {
            // A check left running after its timeout: observe its outcome so it is never an unobserved exception.
            if (check is { IsCompleted: false })
            {
                _ = check.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }

            if (scope is { } s)
            {
                // Disposed only when the check has finished, so a hung check does not hold the report.
                if (check is null or { IsCompleted: true })
                {
                    await s.DisposeAsync().ConfigureAwait(false);
                }
                else
                {
                    _ = check.ContinueWith(async _ => await s.DisposeAsync().ConfigureAwait(false), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
                }
            }
        }
    }

    /// <summary>Releases the manager's own meter, if it created one (no <see cref="IMeterFactory"/> was given).</summary>
    public void Dispose() => _ownedMeter?.Dispose();

    /// <summary>The instruments this manager records its runs on, when it runs without DI (for tests).</summary>
    internal HealthMetrics? Metrics => _metrics;

    private static void ThrowIfDuplicate(IEnumerable<HealthCheckRegistration> registrations)
    {
        var duplicates = registrations.GroupBy(r => r.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            throw new ArgumentException($"Health check names must be unique (case-insensitive); registered more than once: {string.Join(", ", duplicates)}. Pass a name to one of them.");
        }
    }

    /// <summary>
    /// What a check that threw reports: for an API answer, the status and the server's message (a 403 names the
    /// verb, resource and namespace the replica lacks, e.g. 'cannot list resource "pods" in API group ""'), and what
    /// to do about a 403; otherwise the exception's message.
    /// </summary>
    internal static string DescribeFailure(Exception error) => KubernetesApiErrors.StatusCode(error) switch
    {
        403 => $"{KubernetesApiErrors.Describe(error)}. Grant that permission to this replica's service account in a Role or ClusterRole (docs/health.md, RBAC, per feature).",
        _ when KubernetesApiErrors.IsApiOrNetwork(error) => KubernetesApiErrors.Describe(error),
        _ => error.Message,
    };

    private sealed class EmptyServices : IServiceProvider
    {
        public static readonly EmptyServices Instance = new();

        public object? GetService(Type serviceType) => null;
    }

}
