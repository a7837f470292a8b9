using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RoostKeeper.Ha.AspNetCore.Status;

/// <summary>The JSON of GET /status.</summary>
internal sealed record StatusDocument(
    string Identity,
    bool IsLeader,
    string? Leader,
    long? Term,
    DateTimeOffset? LastRenewTime,
    long LeaderTransitions,
    bool IsWatching,
    bool ApiReachable,
    HealthDocument Health)
{
    public static StatusDocument From(HaStatus status, HealthReport report) => new(
        status.Identity,
        status.IsLeader,
        status.LeaderIdentity,
        status.Term,
        status.LastRenewTime,
        status.LeaderTransitions,
        status.IsWatching,
        status.ApiReachable,
        HealthDocument.From(report));
}
