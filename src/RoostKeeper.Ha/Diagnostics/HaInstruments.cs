namespace RoostKeeper.Ha.Diagnostics;

/// <summary>
/// The name of every instrument on the "RoostKeeper.Ha" meter (<see cref="HaTelemetry.Name"/>), in one place, so
/// OpenTelemetry views, metric filters and dashboards can refer to them without copying strings.
/// </summary>
/// <remarks>
/// Names are OpenTelemetry-style: <c>roost_keeper.</c>, then the capability (<c>leader_election</c>, <c>health</c>,
/// <c>recovery</c>, <c>rolling_update</c>, <c>sharding</c>, <c>reconcile</c>), then what is measured. The
/// OpenTelemetry Prometheus exporter turns dots into underscores, appends the unit (<c>_seconds</c>, <c>_bytes</c>;
/// annotation units such as <c>{change}</c> add nothing) and <c>_total</c> on counters:
/// <see cref="LeaderElectionChanges"/> is scraped as <c>roost_keeper_leader_election_changes_total</c>.
/// docs/metrics.md lists each with its Prometheus name, type, unit and labels; a test keeps that page and these
/// instruments equal.
/// </remarks>
public static class HaInstruments
{
    /// <summary>Gauge, 1 while this replica's elector holds the Lease, else 0; labels <c>identity</c>, <c>lease</c>.</summary>
    public const string LeaderElectionIsLeader = "roost_keeper.leader_election.is_leader";

    /// <summary>Counter of the times this replica became leader; labels <c>lease</c>, <c>identity</c>.</summary>
    public const string LeaderElectionChanges = "roost_keeper.leader_election.changes";

    /// <summary>Counter of failed Lease operations; labels <c>operation</c>, <c>lease</c>.</summary>
    public const string LeaderElectionFailures = "roost_keeper.leader_election.failures";

    /// <summary>Histogram (seconds) of successful Lease renewals; label <c>lease</c>.</summary>
    public const string LeaderElectionRenewDuration = "roost_keeper.leader_election.renew.duration";

    /// <summary>Counter of watch events received for the Lease; label <c>lease</c>.</summary>
    public const string LeaderElectionWatchEvents = "roost_keeper.leader_election.watch.events";

    /// <summary>Gauge of the shards this replica holds (its work runs); labels <c>identity</c>, <c>table</c>.</summary>
    public const string ShardingOwnedShards = "roost_keeper.sharding.owned_shards";

    /// <summary>Counter of shards this replica gave up or cleared; labels <c>table</c>, <c>reason</c> (rebalance, crash, leave, step_down, deadline, failed).</summary>
    public const string ShardingMoves = "roost_keeper.sharding.moves";

    /// <summary>Histogram (seconds) of how long a shard had no holder, observed when it gets one; label <c>table</c>.</summary>
    public const string ShardingUnownedDuration = "roost_keeper.sharding.unowned.duration";

    /// <summary>Gauge, per health check, of its status in the last periodic round (2 Healthy, 1 Degraded, 0 Unhealthy); labels <c>check</c>, <c>identity</c>.</summary>
    public const string HealthStatus = "roost_keeper.health.status";

    /// <summary>Gauge of the worst check's status in the last periodic round; label <c>identity</c>.</summary>
    public const string HealthOverallStatus = "roost_keeper.health.overall_status";

    /// <summary>Histogram (seconds) of each health check's duration; labels <c>check</c>, <c>status</c>, <c>identity</c>.</summary>
    public const string HealthCheckDuration = "roost_keeper.health.check.duration";

    /// <summary>Counter of hand-overs made by the step-down policy because the leader was Unhealthy; labels <c>lease</c>, <c>identity</c> (who handed over).</summary>
    public const string HealthHandOvers = "roost_keeper.health.hand_overs";

    /// <summary>Gauge of the health-driven hand-overs still allowed in the current window (0: the budget is spent); label <c>lease</c>.</summary>
    public const string HealthHandOverBudget = "roost_keeper.health.hand_over_budget";

    /// <summary>Counter of backups, restores and validations; labels <c>operation</c>, <c>outcome</c> (started, succeeded, failed).</summary>
    public const string RecoveryOperations = "roost_keeper.recovery.operations";

    /// <summary>Histogram (seconds) of backups, restores and validations; labels <c>operation</c>, <c>outcome</c>.</summary>
    public const string RecoveryDuration = "roost_keeper.recovery.duration";

    /// <summary>Counter of objects backed up or restored; label <c>operation</c>.</summary>
    public const string RecoveryObjects = "roost_keeper.recovery.objects";

    /// <summary>Counter of archive bytes written or read (unit <c>By</c>); label <c>operation</c>.</summary>
    public const string RecoveryBytes = "roost_keeper.recovery.bytes";

    /// <summary>Gauge, Unix time in seconds of this process's last successful backup (0 before the first); no labels.</summary>
    public const string RecoveryLastSuccessfulBackupTime = "roost_keeper.recovery.last_successful_backup.time";

    /// <summary>Gauge of the backup store's entries that the last listing could not read as a backup (foreign files, damaged info); no labels.</summary>
    public const string RecoveryUnreadableStoreEntries = "roost_keeper.recovery.store.unreadable_entries";

    /// <summary>Counter of rolling updates started; labels <c>namespace</c>, <c>deployment</c>.</summary>
    public const string RollingUpdatesStarted = "roost_keeper.rolling_update.started";

    /// <summary>Counter of rolling updates completed and verified; labels <c>namespace</c>, <c>deployment</c>.</summary>
    public const string RollingUpdatesSucceeded = "roost_keeper.rolling_update.succeeded";

    /// <summary>Counter of rolling updates rolled back after a failure; labels <c>namespace</c>, <c>deployment</c>, <c>failure</c>.</summary>
    public const string RollingUpdatesRolledBack = "roost_keeper.rolling_update.rolled_back";

    /// <summary>Counter of rolling updates that ended Failed or TimedOut; labels <c>namespace</c>, <c>deployment</c>, <c>failure</c>.</summary>
    public const string RollingUpdatesFailed = "roost_keeper.rolling_update.failed";

    /// <summary>Histogram (seconds) from a rolling update's start to its final phase; labels <c>outcome</c>, <c>namespace</c>, <c>deployment</c>.</summary>
    public const string RollingUpdateDuration = "roost_keeper.rolling_update.duration";

    /// <summary>Counter of reconciles the user's controller completed (<see cref="ReconcileRecorder"/>); labels <c>controller</c>, <c>result</c>.</summary>
    public const string Reconciles = "roost_keeper.reconcile";

    /// <summary>Histogram (seconds) of one reconcile (<see cref="ReconcileRecorder"/>); labels <c>controller</c>, <c>result</c>.</summary>
    public const string ReconcileDuration = "roost_keeper.reconcile.duration";
}
