using System.ComponentModel.DataAnnotations;

namespace RoostKeeper.Ha.Sample.Controller;

/// <summary>Options of the ManagedRoost controller, bound from the <c>ManagedRoost</c> configuration section.</summary>
internal sealed class ManagedRoostControllerOptions
{
    public const string SectionName = "ManagedRoost";

    /// <summary>The namespace whose ManagedRoosts are reconciled. Default: the Lease's namespace (the pod's).</summary>
    public string? Namespace { get; set; }

    /// <summary>
    /// Sharded mode: every replica reconciles the roosts of the shards it owns (<c>AddShardedLeadership</c>, the
    /// <c>RoostHa:Sharding</c> options), instead of the leader reconciling all of them. Read when the replica is
    /// built. Default false. Every replica of a namespace must run in the same mode: the two modes stamp the
    /// roosts with terms of different Leases, which the fence refuses to order.
    /// </summary>
    public bool Sharded { get; set; }

    /// <summary>How often the leader lists and reconciles every roost. Default 5 s; 50 ms to 1 h.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan ResyncPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Timeout of the controller health check's API read. Default 2 s; 50 ms to 1 min.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Fault injection, for demonstrations: how long the reconciler waits between reading a roost's ConfigMap and
    /// sending its update, after its last check of the term's token, so that the update is sent even when the term
    /// ended meanwhile (as a request already on its way would be). The walk-through's pause step sets it so that
    /// SIGSTOP can freeze a leader between its read and its write, the window fencing exists for. Default zero
    /// (off); up to 1 min. Leave it at zero in production.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan WriteDelay { get; set; }
}
