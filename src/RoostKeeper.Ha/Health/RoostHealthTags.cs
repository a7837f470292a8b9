namespace RoostKeeper.Ha.Health;

/// <summary>
/// The tags the built-in checks carry by default, for selecting checks in probes
/// (<c>MapHealthChecks("/livez", new() { Predicate = r =&gt; r.Tags.Contains(RoostHealthTags.Live) })</c>).
/// </summary>
public static class RoostHealthTags
{
    /// <summary>"live": a failure means this process should be restarted (the leader election check, as client-go's HealthzAdaptor serves /healthz).</summary>
    public const string Live = "live";

    /// <summary>"ready": a failure means this replica cannot do its work now (the API server check).</summary>
    public const string Ready = "ready";

    /// <summary>
    /// "cluster": the state of the whole deployment (deployment, ready pods, Service endpoints, webhook),
    /// the same on every replica; for dashboards, alerts and hand-over, not for a pod's own probes (one bad
    /// pod would take every healthy one out of service with it).
    /// </summary>
    public const string Cluster = "cluster";

    /// <summary>"roost-ha": carried by every built-in check.</summary>
    public const string RoostHa = "roost-ha";
}
