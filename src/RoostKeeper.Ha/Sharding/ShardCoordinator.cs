// Sharded leadership: every replica owns a balanced share of N shards, recorded in one shard table (a Lease's
// annotation); each replica's liveness is its own membership Lease, renewed every RetryPeriod (the leader's is the
// election Lease it already renews). The leader computes targets; holders release and acquire by conditional writes
// (CAS on the table's resourceVersion). Design: docs/sharding.md.
//
// Safety (no shard has two working holders):
//  - A replica starts a shard's work only after its own CAS made it the holder (with a new term, ++table.term).
//  - A holder entry changes only by its holder (after its work has drained, or after its work was cancelled by the
//    liveness guard) or by a leader's clear of a dead holder.
//  - Liveness guard: a replica runs shard work only while now - sent(last successful liveness write) <= RenewDeadline,
//    where "sent" is the local time the request was sent (as client-go measures the renew deadline). Each shard's
//    token is cancelled by a timer at that instant, whatever the loops are doing.
//  - A clear of holder X needs this replica to have observed every liveness record of X (its membership Lease; the
//    election Lease while X holds it) unchanged for LeaseDuration since it first saw that version (MemberLiveness),
//    confirmed just before the write by a fresh read of the table (whose resourceVersion the clear is conditional on)
//    and then fresh reads of X's records showing nothing new. X's last successful liveness write W was sent at s_W
//    and applied before the version the clearer first saw at f (so s_W <= f); the clear happens at f + LeaseDuration
//    or later, while X stopped its work at s_W + RenewDeadline < s_W + LeaseDuration. A write by X after the fresh
//    reads either changed the table (then the clear's CAS fails) or is a liveness write after X's work had already
//    stopped; X never resumes a shard without a new acquisition CAS, which the clear's success makes impossible to
//    race (one of the two CASes on the same table version fails). LeaseDuration > RenewDeadline (15 s vs 10 s) leaves
//    the margin for clock-rate error (< 1/3 here), as for the election itself. Pauses only lengthen the clearer's wait.
//  - Targets are advice: a stale leader writing targets cannot break safety, and its clears need the same evidence
//    whoever gathers it, so leader uniqueness is not needed for shard safety.
using System.Globalization;
using k8s.Models;
using Microsoft.Extensions.Logging;
using RoostKeeper.Ha.Diagnostics;
using RoostKeeper.Ha.Election;

namespace RoostKeeper.Ha.Sharding;

/// <summary>Runs this replica's part of sharded leadership: membership, the liveness guard, acquire/release, and (when leading) assignment.</summary>
internal sealed partial class ShardCoordinator
{
    private const string MemberRecord = "member";
    private const string ElectionRecord = "election";

    private readonly ILeaderElector _elector;
    private readonly IShardLeases _leases;
    private readonly ShardSettings _settings;
    private readonly ShardWork _work;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ShardingMetrics? _metrics;
    private readonly MemberLiveness _liveness = new();
    private readonly FailureThrottle _failures;
    private readonly object _gate = new();
    private readonly Dictionary<int, Holding> _holdings = [];
    private readonly Dictionary<int, long> _holdOff = [];
    private readonly Dictionary<string, V1Lease> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<int, DateTimeOffset> _unownedSince = [];
    private TaskCompletionSource _changed = NewSignal();
    private V1Lease? _table;
    private bool _tableSeen;
    private long? _tableMissingSince;
    private long? _lastMemberCollection;
    private string? _reportedProblem;
    private long _membershipSent = long.MinValue;
    private long _electionSent = long.MinValue;
    private string? _drainReason;
    private long _highestTerm;

    public ShardCoordinator(ILeaderElector elector, IShardLeases leases, ShardSettings settings, ShardWork work, ILogger logger, TimeProvider time, ShardingMetrics? metrics = null)
    {
        _elector = elector;
        _leases = leases;
        _settings = settings;
        _work = work;
        _logger = logger;
        _time = time;
        _metrics = metrics;
        _failures = new FailureThrottle(time);
        Ownership = new ShardOwnership(settings.Identity, settings.Shards, settings.Partitioner);
    }

    public ShardOwnership Ownership { get; }

    public ShardSettings Settings => _settings;

    /// <summary>Why this replica gives up its shards (stopping, a health step-down), or null.</summary>
    public string? DrainReason
    {
        get
        {
            lock (_gate)
            {
                return _drainReason;
            }
        }
    }

    private string Table => $"{_leases.Namespace}/{_settings.TableName}";

    private string Identity => _settings.Identity;

    /// <summary>Runs until <paramref name="stop"/>; the caller drains first (<see cref="DrainAsync"/>) for a graceful leave.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        using var loops = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var watch = Task.Run(() => WatchAsync(loops.Token), CancellationToken.None);
        var renew = Task.Run(() => RenewLoopAsync(loops.Token), CancellationToken.None);
        using var tracking = _metrics?.Track(() => (Identity, _settings.TableName, Ownership.OwnedShards.Count));
        try
        {
            while (!stop.IsCancellationRequested)
            {
                Task changed;
                lock (_gate)
                {
                    changed = _changed.Task;
                }

                try
                {
                    await StepAsync(stop).ConfigureAwait(false);
                }
                catch (Exception e) when (!stop.IsCancellationRequested)
                {
                    Failed("step", _settings.TableName, e);
                }

                // Local ticks at half a RetryPeriod: they cost no requests, and keep the leader's renewals (polled from
                // the elector) re-arming the shard deadlines well before RenewDeadline.
                await ElectionTiming.WaitAsync(changed, _settings.RetryPeriod / 2, _time, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            await loops.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(watch, renew).ConfigureAwait(false);
            await StopAllWorkAsync("stopped").ConfigureAwait(false);
        }
    }

    /// <summary>One pass: observe, guard, (leader) assign and clear, then this replica's releases and acquisitions.</summary>
    internal async Task StepAsync(CancellationToken stop)
    {
        ObserveElection();
        Guard();
        var table = State(out var problem);
        if (problem is not null)
        {
            ReportProblem(problem);
            StopWorkWithoutRelease();
            if (_elector.IsLeader && table is null && MayCreateTable())
            {
                await CreateTableAsync(stop).ConfigureAwait(false);
            }

            return;
        }

        ReportProblem(null);
        if (_elector.IsLeader)
        {
            table = await LeadAsync(table!.Value, stop).ConfigureAwait(false) ?? table;
            await CollectStaleMembersAsync(table.Value.Table, stop).ConfigureAwait(false);
        }

        await ReleaseAsync(stop).ConfigureAwait(false);
        await AcquireAsync(stop).ConfigureAwait(false);
        PublishMap();
    }

    /// <summary>Signals the main loop (a watch event, a renewal, a drain request).</summary>
    private void Wake()
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            signal = _changed;
            _changed = NewSignal();
        }

        signal.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    // ---- The table as observed ------------------------------------------------------------------

    /// <summary>The parsed table, or the problem that keeps this replica from working on it.</summary>
    private (V1Lease Lease, ShardTable Table)? State(out string? problem)
    {
        V1Lease? lease;
        lock (_gate)
        {
            lease = _table;
        }

        if (lease is null)
        {
            problem = $"shard table {Table} does not exist (yet): the leader creates it";
            return null;
        }

        var text = lease.Metadata?.Annotations?.TryGetValue(ShardTable.Annotation, out var t) == true ? t : null;
        if (!ShardTable.TryParse(text, out var table, out var why))
        {
            problem = $"shard table {Table} cannot be read: {why}. No shard work runs until it is fixed: delete the Lease (kubectl delete lease -n {_leases.Namespace} {_settings.TableName}) and the leader writes a new one after LeaseDuration";
            return (lease, ShardTable.Empty(_settings.Shards));
        }

        if (table!.Shards != _settings.Shards)
        {
            problem = $"shard table {Table} has {table.Shards} shards but this replica runs with RoostHa:Sharding:Shards = {_settings.Shards}: every replica must use the same count. To change it, stop every replica and delete the table Lease (kubectl delete lease -n {_leases.Namespace} {_settings.TableName}), or use a new RoostHa:Sharding:TableName";
            return (lease, table);
        }

        _highestTerm = Math.Max(_highestTerm, table.Term);
        problem = null;
        return (lease, table);
    }

    private void ReportProblem(string? problem)
    {
        if (problem == _reportedProblem)
        {
            return;
        }

        var before = _reportedProblem;
        _reportedProblem = problem;
        Ownership.PublishProblem(problem);
        if (problem is not null && _table is not null)
        {
            ShardingLog.TableRefused(_logger, Identity, problem);
        }
        else if (problem is null && before is not null)
        {
            ShardingLog.TableRecovered(_logger, Table, Identity);
        }
    }

    private void PublishMap()
    {
        V1Lease? lease;
        lock (_gate)
        {
            lease = _table;
        }

        if (State(out _) is not { } state)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var entries = new List<ShardMapEntry>(state.Table.Shards);
        for (var s = 0; s < state.Table.Entries.Length; s++)
        {
            var e = state.Table.Entries[s];
            DateTimeOffset? since = null;
            if (e.Holder is null)
            {
                if (!_unownedSince.TryGetValue(s, out var at))
                {
                    _unownedSince[s] = at = now;
                }

                since = at;
            }
            else if (_unownedSince.Remove(s, out var from) && e.Holder == Identity)
            {
                // Recorded by the new holder only: every replica sees the gap, and each would count it.
                _metrics?.RecordUnowned(_settings.TableName, s, (now - from).TotalSeconds);
            }

            entries.Add(new ShardMapEntry(s, e.Target, e.Holder, e.Term, since));
        }

        Ownership.PublishMap(new ShardMap(Identity, now, state.Table.Members, entries));
        _ = lease;
    }

    // ---- Writes of the table ---------------------------------------------------------------------

    /// <summary>Writes <paramref name="table"/> over <paramref name="basis"/> (CAS). Null on a conflict (re-read) or a failure.</summary>
    private async Task<(V1Lease Lease, ShardTable Table)?> WriteTableAsync(V1Lease basis, ShardTable table, string operation, CancellationToken stop)
    {
        var desired = LeaseRecord.Copy(basis);
        desired.Metadata.Annotations ??= new Dictionary<string, string>();
        desired.Metadata.Annotations[ShardTable.Annotation] = table.Serialize();
        desired.Metadata.Labels ??= new Dictionary<string, string>();
        desired.Metadata.Labels[ShardTable.Label] = _settings.TableName;
        using var attempt = new Attempt(stop, _settings.RenewDeadline, _time);
        try
        {
            var written = await _leases.ReplaceAsync(desired, attempt.Token).ConfigureAwait(false);
            Succeeded();
            ObserveTable(written);
            return (written, table);
        }
        catch (LeaseConflictException)
        {
            await RereadTableAsync(stop).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (!stop.IsCancellationRequested)
        {
            Failed(operation, _settings.TableName, e);
            return null;
        }
    }

    private async Task RereadTableAsync(CancellationToken stop)
    {
        using var attempt = new Attempt(stop, _settings.RenewDeadline, _time);
        try
        {
            if (await _leases.GetAsync(_settings.TableName, attempt.Token).ConfigureAwait(false) is { } fresh)
            {
                ObserveTable(fresh);
            }

            Wake();
        }
        catch (Exception e) when (!stop.IsCancellationRequested)
        {
            Failed("read", _settings.TableName, e);
        }
    }

    /// <summary>A newer version of the table (from a response, a read or the watch); older ones are ignored.</summary>
    private void ObserveTable(V1Lease lease)
    {
        lock (_gate)
        {
            if (_table is null || IsNewer(lease, _table))
            {
                _table = lease;
                _tableSeen = true;
                _tableMissingSince = null;
            }
        }
    }

    private static bool IsNewer(V1Lease candidate, V1Lease current) =>
        !long.TryParse(candidate.Metadata?.ResourceVersion, NumberStyles.Integer, CultureInfo.InvariantCulture, out var a)
        || !long.TryParse(current.Metadata?.ResourceVersion, NumberStyles.Integer, CultureInfo.InvariantCulture, out var b)
        || a >= b;

    private void Failed(string operation, string lease, Exception e)
    {
        var problem = KubernetesApi.KubernetesApiErrors.Describe(e);
        if (_failures.Failed(problem).Log)
        {
            ShardingLog.ApiFailed(_logger, operation, $"{_leases.Namespace}/{lease}", Identity, problem, KubernetesApi.KubernetesApiErrors.IsApiOrNetwork(e) ? null : e);
        }
    }

    private void Succeeded() => _failures.Succeeded();

    private static string List(IEnumerable<int> shards) => string.Join(",", shards);

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    /// <summary>One shard this replica runs work for.</summary>
    private sealed class Holding(OwnedShard shard, CancellationTokenSource token)
    {
        public OwnedShard Shard { get; } = shard;

        public CancellationTokenSource Token { get; } = token;

        public Task Work { get; set; } = Task.CompletedTask;

        /// <summary>Its work threw: released, and not taken again for a while.</summary>
        public bool Failed { get; set; }

        /// <summary>Set when its work is being stopped; completes when it has drained and is forgotten.</summary>
        public Task? Dropped { get; set; }
    }
}
