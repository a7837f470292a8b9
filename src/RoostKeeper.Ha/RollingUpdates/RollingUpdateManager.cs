using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using k8s;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>
/// Zero-downtime rolling updates of Deployments with automatic rollback: validates, writes the new image(s) with a
/// change-cause, follows the rollout by <c>kubectl rollout status</c>'s rules, fails fast on crash loops, image
/// errors and readiness that never comes, runs the caller's verification (optionally as a canary), and on any failure
/// rolls back as <c>kubectl rollout undo</c> does, configuration included, waiting until the rollback is available.
/// <para>
/// One update per Deployment at a time: within this manager by an in-memory registry, and across replicas and
/// processes by a Lease per Deployment, "{deployment}-rollout-lock" in its namespace, taken with a conditional write
/// before anything changes and deleted when the update ends (docs/rolling-updates.md says why a Lease). Resolved from DI with <c>AddRoostHa(…).AddRollingUpdates()</c>, it also refuses to start an
/// update on a replica that is not the leader.
/// </para>
/// </summary>
public sealed class RollingUpdateManager : IDisposable
{
    /// <summary>The annotation kubectl rollout history shows as CHANGE-CAUSE.</summary>
    public const string ChangeCauseAnnotation = "kubernetes.io/change-cause";

    /// <summary>
    /// The Deployment annotation earlier versions used as the update lock ("id=…;holder=…;expires=…"). It is no longer
    /// written or honoured: the Deployment controller copies it into ReplicaSets and <c>kubectl rollout undo</c> copies
    /// it back, so it could block updates after an undo. An update removes it from the Deployment it writes; the lock
    /// is now a Lease per Deployment.
    /// </summary>
    public const string LockAnnotation = "ha.roostkeeper.io/rolling-update";

    private const int KeptUpdates = 100;

    private readonly IKubernetes _kubernetes;
    private readonly RollingUpdateOptions _defaults;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RollingUpdateMetrics _metrics;
    private readonly bool _ownsMetrics;
    private readonly Func<(bool IsLeader, string? Leader)>? _leadership;
    private readonly ConcurrentDictionary<string, UpdateTracker> _updates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();

    /// <summary>Creates a manager for use without DI.</summary>
    /// <param name="kubernetes">The client for every API call.</param>
    /// <param name="defaults">Options for calls that pass none; null for the defaults.</param>
    /// <param name="loggerFactory">Logging; null for none.</param>
    /// <param name="timeProvider">The clock; null for <see cref="TimeProvider.System"/>.</param>
    /// <param name="meterFactory">Where the "RoostKeeper.Ha" meter comes from; null for a meter of its own.</param>
    /// <param name="identity">Who holds the update lock (shown to other replicas); null for "hostname/pid".</param>
    public RollingUpdateManager(IKubernetes kubernetes, RollingUpdateOptions? defaults = null, ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null, IMeterFactory? meterFactory = null, string? identity = null)
        : this(kubernetes, defaults, loggerFactory, timeProvider, new RollingUpdateMetrics(meterFactory), ownsMetrics: true, identity, leadership: null)
    {
    }

    internal RollingUpdateManager(IKubernetes kubernetes, RollingUpdateOptions? defaults, ILoggerFactory? loggerFactory, TimeProvider? timeProvider,
        RollingUpdateMetrics metrics, bool ownsMetrics, string? identity, Func<(bool IsLeader, string? Leader)>? leadership)
    {
        ArgumentNullException.ThrowIfNull(kubernetes);
        _kubernetes = kubernetes;
        _defaults = defaults ?? new RollingUpdateOptions();
        RollingUpdateOptionsValidator.ThrowIfInvalid(_defaults);
        _time = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(RollingUpdateLog.Category);
        _metrics = metrics;
        _ownsMetrics = ownsMetrics;
        Identity = string.IsNullOrEmpty(identity) ? $"{Environment.MachineName}/{Environment.ProcessId}" : identity;
        _leadership = leadership;
    }

    /// <summary>Who this manager is in update locks.</summary>
    public string Identity { get; }

    // The two overloads differ in the type of the image argument, never in arity, so a call binds to exactly one of them
    // with or without the optional arguments; RS0026/RS0027 guard against arity-based ambiguity, which cannot arise here.
#pragma warning disable RS0026, RS0027
    /// <summary>Updates the image of the Deployment's only container (use the map overload for several containers).</summary>
    /// <param name="namespace">The Deployment's namespace.</param>
    /// <param name="deployment">The Deployment's name.</param>
    /// <param name="image">The new image reference, e.g. "registry.example.com/roost-keeper:v2".</param>
    /// <param name="options">How the update runs; null for the manager's defaults.</param>
    /// <param name="progress">Receives a status at each transition and replica-count change.</param>
    /// <param name="cancellationToken">Cancels the update; it is rolled back first unless <see cref="RollingUpdateOptions.RollbackOnCancel"/> is false.</param>
    /// <returns>The final status: Succeeded, RolledBack, or (rollback off) Failed or TimedOut.</returns>
    /// <exception cref="RollingUpdateRefusedException">Validation failed, or this replica is not the leader; nothing changed.</exception>
    /// <exception cref="RollingUpdateInProgressException">Another update of the Deployment is running.</exception>
    /// <exception cref="RollingUpdateFailedException">The update failed and its rollback did not complete.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (after the rollback, if any).</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option of <paramref name="options"/> breaks a rule (the message names each one); nothing changed.</exception>
    public async Task<RollingUpdateStatus> PerformRollingUpdateAsync(string @namespace, string deployment, string image, RollingUpdateOptions? options = null,
        IProgress<RollingUpdateStatus>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        ArgumentException.ThrowIfNullOrEmpty(deployment);
        ArgumentNullException.ThrowIfNull(image);
        // The container is looked up inside the tracked run (UpdateRun.OnlyContainer), so a lookup that fails is
        // recorded like any other update that stopped before the template was changed, with the caller's options.
        return await RunAsync(@namespace, deployment, new Dictionary<string, string> { [UpdateRun.OnlyContainer] = image }, options, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Updates the images of the named containers in one rollout.</summary>
    /// <param name="namespace">The Deployment's namespace.</param>
    /// <param name="deployment">The Deployment's name.</param>
    /// <param name="images">New image by container name (containers or init containers).</param>
    /// <param name="options">How the update runs; null for the manager's defaults.</param>
    /// <param name="progress">Receives a status at each transition and replica-count change.</param>
    /// <param name="cancellationToken">Cancels the update; it is rolled back first unless <see cref="RollingUpdateOptions.RollbackOnCancel"/> is false.</param>
    /// <returns>The final status: Succeeded, RolledBack, or (rollback off) Failed or TimedOut.</returns>
    /// <exception cref="RollingUpdateRefusedException">Validation failed, or this replica is not the leader; nothing changed.</exception>
    /// <exception cref="RollingUpdateInProgressException">Another update of the Deployment is running.</exception>
    /// <exception cref="RollingUpdateFailedException">The update failed and its rollback did not complete.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (after the rollback, if any).</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option of <paramref name="options"/> breaks a rule (the message names each one); nothing changed.</exception>
    public async Task<RollingUpdateStatus> PerformRollingUpdateAsync(string @namespace, string deployment, IReadOnlyDictionary<string, string> images,
        RollingUpdateOptions? options = null, IProgress<RollingUpdateStatus>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        ArgumentException.ThrowIfNullOrEmpty(deployment);
        ArgumentNullException.ThrowIfNull(images);
        if (images.Keys.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("A container name in the image map is empty.", nameof(images));
        }

        return await RunAsync(@namespace, deployment, images, options, progress, cancellationToken).ConfigureAwait(false);
    }

#pragma warning restore RS0026, RS0027

    private async Task<RollingUpdateStatus> RunAsync(string @namespace, string deployment, IReadOnlyDictionary<string, string> images,
        RollingUpdateOptions? options, IProgress<RollingUpdateStatus>? progress, CancellationToken cancellationToken)
    {
        var settings = (options ?? _defaults).Clone();
        RollingUpdateOptionsValidator.ThrowIfInvalid(settings);
        var frozen = new SortedDictionary<string, string>(images.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal), StringComparer.Ordinal);

        ThrowIfNotLeader(@namespace, deployment);
        var key = @namespace + "/" + deployment;
        var id = NewId();
        if (!_running.TryAdd(key, id))
        {
            var running = _running.TryGetValue(key, out var other) ? other : "(just finished)";
            throw new RollingUpdateInProgressException(@namespace, deployment, running, Identity, expiresAt: null);
        }

        try
        {
            var tracker = new UpdateTracker(id, @namespace, deployment, frozen, _time, _logger, progress);
            Remember(tracker);
            var run = new UpdateRun(_kubernetes, _time, _logger, _metrics, tracker, settings, @namespace, deployment, frozen, Identity, IsFinished);
            return await run.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _running.TryRemove(key, out _);
        }
    }

    /// <summary>Runs every check an update would make, and changes nothing.</summary>
    /// <param name="namespace">The Deployment's namespace.</param>
    /// <param name="deployment">The Deployment's name.</param>
    /// <param name="images">New image by container name.</param>
    /// <param name="options">The options the update would run with; null for the manager's defaults.</param>
    /// <param name="cancellationToken">Cancels the checks.</param>
    /// <returns>The problems that would refuse the update, the warnings, and the strategy it would run with.</returns>
    public async Task<RollingUpdateValidation> ValidateUpdateAsync(string @namespace, string deployment, IReadOnlyDictionary<string, string> images,
        RollingUpdateOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        ArgumentException.ThrowIfNullOrEmpty(deployment);
        ArgumentNullException.ThrowIfNull(images);
        var settings = (options ?? _defaults).Clone();
        RollingUpdateOptionsValidator.ThrowIfInvalid(settings);
        var api = new RolloutApi(_kubernetes, _time, _logger, "validation", settings.PollInterval);
        var deadline = _time.GetUtcNow() + settings.Timeout;
        var current = await api.ReadDeploymentAsync(@namespace, deployment, deadline, cancellationToken).ConfigureAwait(false);
        var replicaSets = current is null ? [] : await api.ReplicaSetsAsync(current, deadline, cancellationToken).ConfigureAwait(false);
        var budgets = current is null ? [] : await DisruptionBudgets.ReadAsync(api, current, deadline, cancellationToken).ConfigureAwait(false);
        var validation = UpdateValidator.Validate(@namespace, deployment, current, replicaSets, images, settings, budgets).Validation;
        if (current is not null && await new UpdateLocks(api, _time).HeldAsync(@namespace, deployment, IsFinished, deadline, cancellationToken).ConfigureAwait(false) is { } held)
        {
            validation = validation with { Problems = [.. validation.Problems, $"Update {held.UpdateId} by {held.Holder} is running (lock expires {held.ExpiresAt:u})."] };
        }

        if (_leadership?.Invoke() is { IsLeader: false } leadership)
        {
            validation = validation with { Problems = [.. validation.Problems, $"This replica ({Identity}) is not the leader (the leader is {leadership.Leader ?? "not known yet"})."] };
        }

        return validation;
    }

    /// <summary>The status of an update this manager ran or runs, or null when it does not know the id.</summary>
    /// <param name="updateId">The update's id (<see cref="RollingUpdateStatus.Id"/>).</param>
    /// <returns>A snapshot.</returns>
    public RollingUpdateStatus? GetUpdateStatus(string updateId) => _updates.TryGetValue(updateId, out var tracker) ? tracker.Status : null;

    /// <summary>The instruments this manager records on (for tests).</summary>
    internal RollingUpdateMetrics Metrics => _metrics;

    /// <summary>The updates this manager ran or runs (the last 100), newest first.</summary>
    /// <returns>Snapshots.</returns>
    public IReadOnlyList<RollingUpdateStatus> ListUpdates() =>
        _updates.Values.Select(t => t.Status).OrderByDescending(s => s.StartedAt).ThenByDescending(s => s.Id, StringComparer.Ordinal).ToList();

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsMetrics)
        {
            _metrics.Dispose();
        }
    }

    /// <summary>
    /// Whether a lock names an update known to be over: one of this manager's identity that this manager does not run
    /// (it finished, or ran in an earlier process with the same identity), so a release that failed, or a crash, never
    /// blocks this manager's next update for the rest of the lock's lifetime.
    /// </summary>
    private bool IsFinished(UpdateLock held) =>
        held.Holder == Identity && !_running.Values.Contains(held.UpdateId, StringComparer.Ordinal);

    private void ThrowIfNotLeader(string ns, string deployment)
    {
        if (_leadership?.Invoke() is { IsLeader: false } leadership)
        {
            var problem = $"This replica ({Identity}) is not the leader; only the leader performs rolling updates (the leader is {leadership.Leader ?? "not known yet"}).";
            RollingUpdateLog.Refused(_logger, ns, deployment, problem);
            throw new RollingUpdateRefusedException(ns, deployment, [problem]);
        }
    }

    private string NewId()
    {
        var now = _time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd't'HHmmss", CultureInfo.InvariantCulture);
        return $"upd-{now}-{Guid.NewGuid().ToString("N")[..6]}";
    }

    private void Remember(UpdateTracker tracker)
    {
        _updates[tracker.Id] = tracker;
        _order.Enqueue(tracker.Id);
        while (_order.Count > KeptUpdates && _order.TryDequeue(out var oldest))
        {
            _updates.TryRemove(oldest, out _);
        }
    }
}
