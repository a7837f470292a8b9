namespace RoostKeeper.Ha.AspNetCore.StatusPage;

/// <summary>One replica seen: from the election Lease (the holder) and its own health Lease (status and freshness).</summary>
internal sealed record ReplicaRow(string Identity, bool Leads, string? Health, DateTimeOffset? RenewedAt, bool Fresh);
