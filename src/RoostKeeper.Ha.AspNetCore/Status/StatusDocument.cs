using Microsoft.Extensions.Diagnostics.HealthChecks;
using RoostKeeper.Ha.AspNetCore.Sharding;

namespace RoostKeeper.Ha.AspNetCore.Status;

/// <summary>The JSON of GET /status; <c>sharding</c> is null unless sharded leadership is enabled.</summary>
internal sealed record StatusDocument(
    string Identity,
    bool IsLeader,
    string? Leader,
    long? Term,
    DateTimeOffset? LastRenewTime,
    long LeaderTransitions,
    bool IsWatching,
    bool ApiReachable,
    HealthDocument Health,
    ShardSummaryDocument? Sharding)
{
    public static StatusDocument From(HaStatus status, HealthReport report, ShardSummaryDocument? sharding) => new(
        status.Identity,
        status.IsLeader,
        status.LeaderIdentity,
        status.Term,
        status.LastRenewTime,
        status.LeaderTransitions,
        status.IsWatching,
        status.ApiReachable,
        HealthDocument.From(report),
        sharding);
}
