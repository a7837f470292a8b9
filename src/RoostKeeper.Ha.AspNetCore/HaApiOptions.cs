using System.ComponentModel.DataAnnotations;

namespace RoostKeeper.Ha.AspNetCore;

/// <summary>
/// Settings of <c>MapRoostHaApi</c>: where it is mapped, who may change things, input limits, and how followers
/// reach the leader. Validated when the API is mapped: an invalid value fails <c>MapRoostHaApi</c> with an
/// <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> that names every invalid option and its rule.
/// </summary>
public sealed class HaApiOptions
{
    /// <summary>The route prefix of the API and the status page, e.g. "/ha".</summary>
    /// <value>Default empty (mapped at the root). Empty, or a literal path that starts with '/' (no '?', '#' or route parameters); a trailing '/' is dropped.</value>
    public string RoutePrefix { get; set; } = "";

    /// <summary>
    /// The authorization policy every mutating endpoint requires (registered with
    /// <c>AddAuthorization(o =&gt; o.AddPolicy(name, ...))</c>). Without it the mutating endpoints are not
    /// mapped at all, and a warning at start-up says so. Read-only endpoints and the status page stay open.
    /// </summary>
    /// <value>
    /// Default null (mutating endpoints not mapped). Null, or the name of a registered policy (not empty or
    /// white space); with the default policy provider an unknown name fails at mapping.
    /// </value>
    public string? MutationPolicy { get; set; }

    /// <summary>
    /// Maps the mutating endpoints with no authorization when no <see cref="MutationPolicy"/> is set. For
    /// local demos only: logged at Critical level at start-up and at Warning on every such call.
    /// </summary>
    /// <value>Default false. Ignored when <see cref="MutationPolicy"/> is set.</value>
    public bool AllowUnauthenticatedMutations { get; set; }

    /// <summary>The largest request body the API reads, in bytes; a larger one is answered 413.</summary>
    /// <value>Default 16384 (16 KiB). From 1 to 1073741824 (1 GiB).</value>
    [Range(1L, 1L << 30)]
    public long MaxRequestBodySize { get; set; } = 16 * 1024;

    /// <summary>How often the status page reloads itself.</summary>
    /// <value>Default 5 seconds. From 1 second to 1 hour.</value>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan StatusPageRefresh { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Where the leader's API is, as an absolute http or https URL with the placeholder <c>{leader}</c> for the
    /// leader's identity, e.g. <c>"http://{leader}.roost-keeper-api.roost-keeper-system.svc:8080"</c> (a
    /// StatefulSet's pod under a headless Service). Scheme, host and port only: the request's path is kept.
    /// <c>{leader}</c> appears once, as one whole label of the host: the Lease holder is written by anyone who
    /// can update the Lease, so only a holder that is a DNS-1123 label fills it; for any other holder there is
    /// no address (no forwarding, no <c>leaderAddress</c>), and a warning says why.
    /// A follower names this address in its 409 answers, and forwards to it when <see cref="ForwardToLeader"/>
    /// is set.
    /// </summary>
    /// <value>
    /// Default null (followers name the leader only). Null, or an absolute http or https URL without path, query,
    /// fragment or user info, with <c>{leader}</c> once as a whole label of the host.
    /// </value>
    public string? LeaderUrlTemplate { get; set; }

    /// <summary>
    /// A follower forwards leader-only requests (create backup, restore, delete backup, failover) and polls of
    /// operations it does not know to the leader at <see cref="LeaderUrlTemplate"/>, with the caller's
    /// Authorization header, instead of answering 409. A forwarded request is never forwarded again.
    /// </summary>
    /// <value>Default false. True requires <see cref="LeaderUrlTemplate"/>.</value>
    public bool ForwardToLeader { get; set; }

    /// <summary>How many finished operations each replica keeps for polling (running ones are always kept).</summary>
    /// <value>Default 100. From 1 to 10000.</value>
    [Range(1, 10_000)]
    public int RetainedOperations { get; set; } = 100;
}
