using Microsoft.Extensions.Diagnostics.HealthChecks;
using RoostKeeper.Ha.Health;
using RoostKeeper.Ha.Recovery;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The backup store's health check, for <c>AddHealthChecks(h => h.AddBackupStore())</c> next to <c>AddBackups</c>.</summary>
public static class BackupHealthChecksBuilderExtensions
{
    /// <summary>
    /// Lists the backup store of the registered <see cref="RecoveryManager"/>: Healthy when every entry reads
    /// as a backup; <paramref name="failureStatus"/> naming each entry that does not (a foreign file such as a
    /// README.json, a damaged info, an info naming another backup), or when the store cannot be listed.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The check's name; default "backup-store".</param>
    /// <param name="failureStatus">The status reported for a problem; default Degraded (a store problem is no reason to step down).</param>
    /// <param name="tags">Default "roost-ha".</param>
    /// <param name="timeout">How long listing may take; default the manager's CheckTimeout.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddBackupStore(this IHealthChecksBuilder builder, string? name = null, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(
            name ?? "backup-store",
            sp => new BackupStoreHealthCheck(sp.GetRequiredService<RecoveryManager>()),
            failureStatus ?? HealthStatus.Degraded,
            tags ?? [RoostHealthTags.RoostHa],
            timeout));
    }
}
