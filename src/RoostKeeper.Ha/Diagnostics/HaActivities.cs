namespace RoostKeeper.Ha.Diagnostics;

/// <summary>
/// The name of every activity RoostKeeper.Ha starts on its <see cref="System.Diagnostics.ActivitySource"/>
/// (<see cref="HaTelemetry.Name"/>), beside <see cref="HaInstruments"/>, so traces can be filtered and sampled
/// without copying strings. Names follow the instruments': <c>roost_keeper.</c>, the capability, the operation.
/// </summary>
public static class HaActivities
{
    /// <summary>One attempt to acquire the Lease; tags <c>lease</c>, <c>identity</c>.</summary>
    public const string LeaseAcquire = "roost_keeper.lease.acquire";

    /// <summary>One renewal of the Lease by its leader; tags <c>lease</c>, <c>identity</c>.</summary>
    public const string LeaseRenew = "roost_keeper.lease.renew";

    /// <summary>The release or hand-over of the Lease at the end of a term; tags <c>lease</c>, <c>identity</c>.</summary>
    public const string LeaseRelease = "roost_keeper.lease.release";

    /// <summary>One run of one health check; tags <c>health.check</c> (its name) and <c>health.status</c>.</summary>
    public const string HealthCheck = "roost_keeper.health.check";

    /// <summary>One backup; tag <c>backup.id</c>.</summary>
    public const string Backup = "roost_keeper.backup";

    /// <summary>One restore; tag <c>backup.id</c>.</summary>
    public const string Restore = "roost_keeper.restore";

    /// <summary>One validation of a backup; tag <c>backup.id</c>.</summary>
    public const string ValidateBackup = "roost_keeper.backup.validate";

    /// <summary>One rolling update, from its start to its final phase; tags <c>k8s.namespace.name</c>, <c>k8s.deployment.name</c>.</summary>
    public const string RollingUpdate = "roost_keeper.rolling_update";
}
