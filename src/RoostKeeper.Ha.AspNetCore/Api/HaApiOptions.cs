namespace RoostKeeper.Ha.AspNetCore;

/// <summary>Settings of <c>MapRoostHaApi</c>: where it is mapped, who may change things, input limits, and how followers reach the leader.</summary>
public sealed class HaApiOptions
{
    /// <summary>The route prefix of the API and the status page, e.g. "/ha"; empty by default.</summary>
    public string RoutePrefix { get; set; } = "";

    /// <summary>
    /// The authorization policy every mutating endpoint requires (registered with
    /// <c>AddAuthorization(o =&gt; o.AddPolicy(name, ...))</c>). Without it the mutating endpoints are not
    /// mapped at all, and a warning at start-up says so. Read-only endpoints and the status page stay open.
    /// </summary>
    public string? MutationPolicy { get; set; }

    /// <summary>
    /// Maps the mutating endpoints with no authorization when no <see cref="MutationPolicy"/> is set. For
    /// local demos only: logged at Critical level at start-up and at Warning on every such call.
    /// </summary>
    public bool AllowUnauthenticatedMutations { get; set; }

    /// <summary>The largest request body the API reads, in bytes (larger ones get 413); 16 KiB by default.</summary>
    public long MaxRequestBodySize { get; set; } = 16 * 1024;

    /// <summary>How often the status page reloads itself; 5 seconds by default, at least 1 second.</summary>
    public TimeSpan StatusPageRefresh { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Where the leader's API is, as an absolute http or https URL with the placeholder <c>{leader}</c> for the
    /// leader's identity, e.g. <c>"http://{leader}.roost-keeper-api.roost-keeper-system.svc:8080"</c> (a
    /// StatefulSet's pod under a headless Service). Scheme, host and port only: the request's path is kept.
    /// <c>{leader}</c> appears once, as one whole label of the host: the Lease holder is written by anyone who
    /// can update the Lease, so only a holder that is a DNS-1123 label fills it; for any other holder there is
    /// no address (no forwarding, no <c>leaderAddress</c>), and a warning says why.
    /// A follower names this address in its 409 answers, and forwards to it when <see cref="ForwardToLeader"/>
    /// is set. Null by default (followers name the leader only).
    /// </summary>
    public string? LeaderUrlTemplate { get; set; }

    /// <summary>
    /// A follower forwards leader-only requests (create backup, restore, delete backup, failover) and polls of
    /// operations it does not know to the leader at <see cref="LeaderUrlTemplate"/>, with the caller's
    /// Authorization header, instead of answering 409. A forwarded request is never forwarded again. False
    /// by default; requires <see cref="LeaderUrlTemplate"/>.
    /// </summary>
    public bool ForwardToLeader { get; set; }

    /// <summary>How many finished operations each replica keeps for polling (running ones are always kept); 100 by default, 1 to 10000.</summary>
    public int RetainedOperations { get; set; } = 100;
}
