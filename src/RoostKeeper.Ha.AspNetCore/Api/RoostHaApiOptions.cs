namespace RoostKeeper.Ha.AspNetCore;

/// <summary>Settings of <c>MapRoostHaApi</c>: where it is mapped, who may change things, and input limits.</summary>
public sealed class RoostHaApiOptions
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
}
