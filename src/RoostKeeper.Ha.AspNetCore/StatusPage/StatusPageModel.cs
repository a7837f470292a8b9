using Microsoft.Extensions.Diagnostics.HealthChecks;
using RoostKeeper.Ha.AspNetCore.Operations;
using RoostKeeper.Ha.AspNetCore.Sharding;
using RoostKeeper.Ha.RollingUpdates;

namespace RoostKeeper.Ha.AspNetCore.StatusPage;

/// <summary>What the status page shows (Backups, Updates and Shards are null when not configured), gathered by <see cref="StatusPageEndpoint"/> and rendered by <see cref="StatusPageRenderer"/>.</summary>
internal sealed record StatusPageModel(
    string Identity,
    bool IsLeader,
    string Lease,
    string? Leader,
    DateTimeOffset? LeaderSince,
    DateTimeOffset? LastRenewTime,
    long LeaderTransitions,
    IReadOnlyList<ReplicaRow> Replicas,
    HealthReport Health,
    IReadOnlyList<string> Problems,
    DateTimeOffset RenderedAt,
    TimeSpan Refresh,
    IReadOnlyList<BackupRow>? Backups = null,
    IReadOnlyList<RollingUpdateStatus>? Updates = null,
    IReadOnlyList<OperationDocument>? Running = null,
    ShardMapDocument? Shards = null);
