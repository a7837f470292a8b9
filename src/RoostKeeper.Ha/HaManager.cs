using System.Diagnostics.Metrics;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Diagnostics;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Health;
using RoostKeeper.Ha.KubernetesApi;

namespace RoostKeeper.Ha;

/// <summary>
/// The entry point of RoostKeeper.Ha: runs Lease-based leader election for this replica and invokes the
/// leadership callbacks. Registered (and run as a hosted service) by <c>services.AddRoostHa(...)</c>;
/// usable without DI through the public constructor and <see cref="StartLeaderElectionAsync"/>.
/// </summary>
public sealed class HaManager : IDisposable
{
    private readonly LeaseElector _elector;
    private readonly LeadershipCallbacks _callbacks = new();
    private readonly ElectionMetrics? _ownedMetrics;
    private readonly ILoggerFactory _loggerFactory;
    private readonly object _healthGate = new();
    private Func<HealthManager?>? _healthSource;
    private HealthManager? _health;

    /// <summary>Creates a manager that elects through <paramref name="kubernetes"/>.</summary>
    /// <param name="kubernetes">The client for the API server that holds the Lease.</param>
    /// <param name="options">
    /// The settings; not modified. Unset LeaseNamespace and Identity get their in-pod defaults.
    /// </param>
    /// <param name="loggerFactory">Where logs go; none by default.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="meterFactory">Creates the "RoostKeeper.Ha" meter; a standalone meter by default.</param>
    /// <exception cref="OptionsValidationException">An option is invalid; the message names it and the rule.</exception>
    public HaManager(IKubernetes kubernetes, LeaderElectionOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null, IMeterFactory? meterFactory = null)
        : this(kubernetes, Resolve(options), loggerFactory, timeProvider, metrics: null, meterFactory)
    {
    }

    internal HaManager(IKubernetes kubernetes, LeaderElectionOptions resolvedOptions, ILoggerFactory? loggerFactory, TimeProvider? timeProvider, ElectionMetrics? metrics, IMeterFactory? meterFactory = null, Func<HealthManager?>? health = null)
        : this(
            new KubernetesLeaseClient(kubernetes ?? throw new ArgumentNullException(nameof(kubernetes)), resolvedOptions.LeaseNamespace!, resolvedOptions.LeaseName!),
            ElectionSettings.From(resolvedOptions),
            loggerFactory,
            timeProvider,
            metrics,
            meterFactory,
            health)
    {
    }

    internal HaManager(ILeaseClient client, ElectionSettings settings, ILoggerFactory? loggerFactory, TimeProvider? timeProvider, ElectionMetrics? metrics, IMeterFactory? meterFactory = null, Func<HealthManager?>? health = null)
    {
        if (metrics is null)
        {
            metrics = _ownedMetrics = new ElectionMetrics(meterFactory);
        }

        Metrics = metrics;

        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _healthSource = health;
        var logger = _loggerFactory.CreateLogger(ElectionLog.Category);
        _elector = new LeaseElector(client, settings, _callbacks, logger, timeProvider ?? TimeProvider.System, metrics);
    }

    /// <summary>This replica's identity, the holder name it writes to the Lease.</summary>
    public string Identity => _elector.Identity;

    /// <summary>Whether this replica leads now.</summary>
    public bool IsLeader => _elector.IsLeader;

    /// <summary>The current term while this replica leads, else null.</summary>
    public Leadership? Leadership => _elector.Leadership;

    /// <summary>
    /// The replica that holds the Lease, as last observed: null when the Lease is free or, by this
    /// replica's clock, expired.
    /// </summary>
    public string? LeaderIdentity => IsLeader ? Identity : _elector.CurrentLeader;

    /// <summary>
    /// Whether this replica's election loop runs (<see cref="StartLeaderElectionAsync"/> has started and not
    /// ended): false before start, after stop, and when the loop failed. A liveness probe restarts a replica
    /// whose loop is gone, since it would never lead again.
    /// </summary>
    public bool IsElectionRunning => _elector.IsRunning;

    /// <summary>
    /// The Lease's <c>renewTime</c> as this replica last observed it (read, watched or written by itself),
    /// or null before the first observation. On the leader it is its own last successful renewal, stamped
    /// by its own clock, so readiness probes can apply client-go's renew-deadline rule without a read.
    /// </summary>
    public DateTimeOffset? ObservedRenewTime =>
        _elector.ObservedLease?.Spec?.RenewTime is { } renew ? new DateTimeOffset(DateTime.SpecifyKind(renew, DateTimeKind.Utc)) : null;

    /// <summary>
    /// Adds work to run while this replica leads. <paramref name="callback"/> starts when a term begins;
    /// its token is cancelled the moment the term ends (step-down, hand-over or shutdown), and the term is
    /// not released until it returns. A callback that throws ends the term so another replica can lead.
    /// </summary>
    /// <param name="callback">The leader work.</param>
    /// <returns>This manager, for chaining.</returns>
    public HaManager OnStartedLeading(Func<Leadership, CancellationToken, Task> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        _callbacks.AddStarted(callback);
        return this;
    }

    /// <summary>Adds a callback for the end of a term this replica held, invoked after the leader token is cancelled.</summary>
    /// <param name="callback">The callback; it should return quickly.</param>
    /// <returns>This manager, for chaining.</returns>
    public HaManager OnStoppedLeading(Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        _callbacks.AddStopped(callback);
        return this;
    }

    /// <summary>Adds a callback for each new holder of the Lease that this replica observes (itself included).</summary>
    /// <param name="callback">Receives the new leader's identity; it should return quickly.</param>
    /// <returns>This manager, for chaining.</returns>
    public HaManager OnNewLeader(Action<string> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        _callbacks.AddNewLeader(callback);
        return this;
    }

    /// <summary>
    /// Competes for the Lease until <paramref name="cancellationToken"/> is cancelled, leading whenever this
    /// replica wins and competing again after losing. On cancellation a leader stops its work and, with
    /// ReleaseOnCancel, releases the Lease; the task completes when that is done. API errors are logged
    /// and counted, and election goes on.
    /// </summary>
    /// <param name="cancellationToken">Stops the election.</param>
    /// <returns>A task that completes when election has stopped.</returns>
    /// <exception cref="InvalidOperationException">Election is already running on this manager.</exception>
    public Task StartLeaderElectionAsync(CancellationToken cancellationToken) => _elector.RunAsync(cancellationToken);

    /// <summary>
    /// Hands leadership over on purpose: the leader stops its work, then releases the Lease, or writes
    /// <paramref name="preferredSuccessor"/> as holder (in a new term) so that replica takes over at once.
    /// This replica then stays out of the next election for LeaseDuration + RetryPeriod. The task completes
    /// when the term has ended, whichever way it ended.
    /// </summary>
    /// <param name="preferredSuccessor">The identity of the replica to lead next, or null for whoever is first.</param>
    /// <param name="cancellationToken">Stops waiting (the hand-over still happens).</param>
    /// <returns>
    /// True when this replica led and wrote the hand-over (or release); false when it was not leading, or
    /// the term ended otherwise first (lost, renew deadline passed, work would not stop, the write failed).
    /// </returns>
    /// <exception cref="ArgumentException"><paramref name="preferredSuccessor"/> is this replica.</exception>
    public Task<bool> TriggerFailoverAsync(string? preferredSuccessor = null, CancellationToken cancellationToken = default) =>
        _elector.RequestFailoverAsync(preferredSuccessor, cancellationToken);

    /// <summary>
    /// Reads the Lease and reports leader election as this replica sees it. The read is bounded by
    /// RenewDeadline on the manager's <see cref="TimeProvider"/> and changes nothing in the election.
    /// </summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>
    /// The status, with <see cref="HaStatus.ClusterHealth"/> the overall status of <see cref="CheckClusterHealthAsync"/>;
    /// when the API server cannot be reached (or answers with an error) it is built from the Lease as last
    /// observed, with <see cref="HaStatus.ApiReachable"/> false and <see cref="HaStatus.ClusterHealth"/> Unhealthy.
    /// </returns>
    public async Task<HaStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        var reachable = true;
        k8s.Models.V1Lease? lease;
        try
        {
            lease = await _elector.ReadForStatusAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && KubernetesApiErrors.IsApiOrNetwork(e))
        {
            reachable = false;
            lease = _elector.ObservedLease;
        }

        var health = await CheckClusterHealthAsync(cancellationToken).ConfigureAwait(false);
        var leader = LeaderIdentity;
        var spec = lease?.Spec;
        return new HaStatus
        {
            Identity = Identity,
            IsLeader = IsLeader,
            LeaderIdentity = leader,
            Term = Leadership?.Term,
            LastRenewTime = spec?.RenewTime is { } renew ? new DateTimeOffset(DateTime.SpecifyKind(renew, DateTimeKind.Utc)) : null,
            LeaderTransitions = spec?.LeaseTransitions ?? 0,
            IsWatching = _elector.IsWatching,
            ApiReachable = reachable,
            ClusterHealth = reachable ? health.Status : HealthStatus.Unhealthy,
        };
    }

    /// <summary>
    /// Runs the health checks once and reports (healthy / degraded / unhealthy). With
    /// <c>AddHealthChecks(...)</c> (on the DI builder, or <see cref="AddHealthChecks"/> on this manager) these
    /// are the registered checks; without, the leader election check alone (Unhealthy when the Lease cannot be
    /// read, Degraded when no replica leads).
    /// </summary>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The report, from <see cref="HealthManager.CheckHealthAsync(CancellationToken)"/>.</returns>
    public Task<HealthReport> CheckClusterHealthAsync(CancellationToken cancellationToken = default) =>
        Health.CheckHealthAsync(cancellationToken);

    /// <summary>
    /// The API server's refusal of this replica's Lease calls that retrying will not fix (RBAC, credentials, a
    /// missing namespace), while it lasts; null while the calls succeed or fail only transiently. Such a replica
    /// can never lead: the leader election health check and the probes of RoostKeeper.Ha.AspNetCore report it.
    /// </summary>
    public LeaseRefusal? LeaseRefusal => _elector.Refusal;

    /// <summary>
    /// Creates the <see cref="HealthManager"/> of this replica without DI: the checks <paramref name="configure"/>
    /// adds, with <c>AddLeaderElection()</c> judging this manager's election. From then on
    /// <see cref="CheckClusterHealthAsync"/> and <see cref="GetStatusAsync"/> report from it.
    /// </summary>
    /// <param name="kubernetes">The client the built-in checks read the API with.</param>
    /// <param name="configure">Adds the checks, e.g. <c>h =&gt; h.AddLeaderElection().AddReadyPods("app=my-controller", minReady: 2)</c>.</param>
    /// <param name="options">The settings; not modified. Unset Namespace is the Lease's, unset PodName is POD_NAME.</param>
    /// <returns>The health manager, for periodic or on-demand runs of its own.</returns>
    /// <exception cref="OptionsValidationException">An option is invalid; the message names it and the rule.</exception>
    public HealthManager AddHealthChecks(IKubernetes kubernetes, Action<IHealthChecksBuilder> configure, HealthOptions? options = null)
    {
        var health = new HealthManager(kubernetes, configure, options, _elector, _loggerFactory, _elector.Time, Metrics.Meter);
        Volatile.Write(ref _health, health);
        return health;
    }

    /// <summary>The elector this manager owns (for the hosted service, health and step-down, which see it as <see cref="ILeaderElector"/>).</summary>
    internal LeaseElector Elector => _elector;


    /// <summary>The resolved election settings (for the ASP.NET Core probes).</summary>
    internal ElectionSettings Settings => _elector.Settings;

    /// <summary>The instruments the elector records on (for tests).</summary>
    internal ElectionMetrics Metrics { get; }

    /// <summary>The callbacks the elector invokes (DI attaches the builder's registrations here).</summary>
    internal LeadershipCallbacks Callbacks => _callbacks;

    /// <summary>
    /// The health this manager reports: the one attached (<see cref="AddHealthChecks"/>, or DI's), else the
    /// leader election check alone. DI's is resolved on first use, since AddHealthChecks comes after AddRoostHa.
    /// </summary>
    private HealthManager Health
    {
        get
        {
            if (Volatile.Read(ref _health) is { } health)
            {
                return health;
            }

            lock (_healthGate)
            {
                _health ??= _healthSource?.Invoke() ?? HealthManager.ForElection(_elector);
                _healthSource = null;
                return _health;
            }
        }
    }

    /// <summary>Releases the manager's own meter, if it created one. Stop election first.</summary>
    public void Dispose() => _ownedMetrics?.Dispose();

    private static LeaderElectionOptions Resolve(LeaderElectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var copy = options.Clone();
        new PodEnvironment().ApplyDefaults(copy);
        var failures = LeaderElectionOptionsValidator.Failures(copy).ToList();
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(LeaderElectionOptions), failures);
        }

        return copy;
    }
}
