using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RoostKeeper.Ha.AspNetCore.StatusPage;

/// <summary>What the status page shows, gathered by <see cref="StatusPageEndpoint"/> and rendered by <see cref="StatusPageRenderer"/>.</summary>
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
    TimeSpan Refresh);

/// <summary>One replica seen: from the election Lease (the holder) and its own health Lease (status and freshness).</summary>
internal sealed record ReplicaRow(string Identity, bool Leads, string? Health, DateTimeOffset? RenewedAt, bool Fresh);
