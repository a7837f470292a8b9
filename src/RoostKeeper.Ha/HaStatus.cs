namespace RoostKeeper.Ha;

/// <summary>A snapshot of leader election as one replica sees it, from <see cref="HaManager.GetStatusAsync"/>.</summary>
public sealed record HaStatus
{
    /// <summary>This replica's identity.</summary>
    public required string Identity { get; init; }

    /// <summary>Whether this replica leads now.</summary>
    public required bool IsLeader { get; init; }

    /// <summary>The holder of the Lease, or null when it is free.</summary>
    public string? LeaderIdentity { get; init; }

    /// <summary>This replica's term while it leads (see <see cref="Election.Leadership.Term"/>), else null.</summary>
    public long? Term { get; init; }

    /// <summary>The Lease's last <c>renewTime</c>, as written by its holder's clock.</summary>
    public DateTimeOffset? LastRenewTime { get; init; }

    /// <summary>The Lease's <c>leaseTransitions</c>: how many times leadership has changed hands.</summary>
    public long LeaderTransitions { get; init; }

    /// <summary>Whether this replica is following the Lease by watch (true) or by polling after a watch failure.</summary>
    public bool IsWatching { get; init; }

    /// <summary>Whether the status read of the Lease reached the API server; false: the other fields are as last observed.</summary>
    public bool ApiReachable { get; init; } = true;

    /// <summary>The health of the replica set as this replica sees it: the overall status of <see cref="HaManager.CheckClusterHealthAsync"/> (Healthy, Degraded or Unhealthy).</summary>
    public required Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus ClusterHealth { get; init; }
}
