using Microsoft.Extensions.Diagnostics.HealthChecks;
using RoostKeeper.Ha.AspNetCore.Operations;
using RoostKeeper.Ha.RollingUpdates;

namespace RoostKeeper.Ha.AspNetCore.StatusPage;

/// <summary>What the status page shows (Backups and Updates are null when not configured), gathered by <see cref="StatusPageEndpoint"/> and rendered by <see cref="StatusPageRenderer"/>.</summary>
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
    IReadOnlyList<OperationDocument>? Running = null);

/// <summary>One backup on the page: what the store lists and what this replica knows of its validity.</summary>
internal sealed record BackupRow(string Id, DateTimeOffset CreatedAt, long Objects, long Bytes, ValidationDocument Validation);

/// <summary>One replica seen: from the election Lease (the holder) and its own health Lease (status and freshness).</summary>
internal sealed record ReplicaRow(string Identity, bool Leads, string? Health, DateTimeOffset? RenewedAt, bool Fresh);
