namespace RoostKeeper.Ha.AspNetCore.Api;

/// <summary>
/// What the endpoints read of <c>HaApiOptions</c>, validated and taken once when <c>MapRoostHaApi</c> maps them:
/// the options object may change afterwards without effect, and no endpoint depends on the composition root.
/// </summary>
/// <param name="Prefix">The route prefix, normalized (empty, or starting with '/' and without a trailing '/').</param>
/// <param name="MaxRequestBodySize">The largest request body read, in bytes.</param>
/// <param name="StatusPageRefresh">How often the status page reloads itself.</param>
/// <param name="RetainedOperations">How many finished operations are kept for polling.</param>
/// <param name="LeaderUrlTemplate">Where the leader's API is; null when unknown.</param>
/// <param name="ForwardToLeader">Whether followers forward leader-only requests.</param>
internal sealed record ApiSettings(string Prefix, long MaxRequestBodySize, TimeSpan StatusPageRefresh, int RetainedOperations, string? LeaderUrlTemplate, bool ForwardToLeader);
