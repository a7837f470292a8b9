using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RoostKeeper.Ha.Recovery;

/// <summary>
/// Lists the backup store: Healthy when every entry reads as a backup; the registration's failure status
/// (Degraded by default) naming each entry that does not (a foreign file, a damaged info) or when the store
/// cannot be listed at all. Backups, retention and schedules go on either way; this is how an operator sees it.
/// </summary>
internal sealed class BackupStoreHealthCheck(RecoveryManager manager) : IHealthCheck
{
    /// <summary>At most this many entries are named in the description (all are in the data).</summary>
    private const int Named = 5;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        Stores.BackupListing listing;
        try
        {
            listing = await manager.ScanStoreAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The backup store {manager.Store} cannot be listed: {e.Message}", e);
        }

        var data = new Dictionary<string, object> { ["backups"] = listing.Backups.Count, ["unreadable"] = listing.Unreadable.Count };
        if (listing.Unreadable.Count == 0)
        {
            return HealthCheckResult.Healthy($"The backup store {manager.Store} lists {listing.Backups.Count} backups and nothing it cannot read.", data);
        }

        foreach (var entry in listing.Unreadable)
        {
            data[entry.Name] = entry.Reason;
        }

        var named = string.Join("; ", listing.Unreadable.Take(Named).Select(u => $"{u.Name} ({u.Reason})"));
        var more = listing.Unreadable.Count > Named ? $" and {listing.Unreadable.Count - Named} more" : "";
        return new HealthCheckResult(
            context.Registration.FailureStatus,
            $"The backup store {manager.Store} holds {listing.Unreadable.Count} entries that are not readable backups: {named}{more}. The {listing.Backups.Count} backups it can read are listed, and retention and schedules go on; remove or move the other files.",
            data: data);
    }
}
