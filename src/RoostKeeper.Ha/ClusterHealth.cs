namespace RoostKeeper.Ha;

/// <summary>The health of the replica set as one replica sees it.</summary>
public enum ClusterHealth
{
    /// <summary>The API server answers and a leader holds an unexpired Lease.</summary>
    Healthy,

    /// <summary>The API server answers, but there is no current leader (the Lease is free or expired).</summary>
    Degraded,

    /// <summary>This replica cannot reach the API server.</summary>
    Unhealthy,
}
