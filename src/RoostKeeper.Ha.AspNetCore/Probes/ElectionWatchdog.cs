using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RoostKeeper.Ha.AspNetCore.Probes;

/// <summary>
/// client-go's watchdog rule on this replica's own observation, without an API read: a replica that still
/// acts as leader although its last successful renewal is older than <c>limit</c> has an elector that is
/// stuck (a healthy one steps down at its renew deadline). The renewal was stamped by this replica's own
/// clock, so no clock skew enters.
/// </summary>
internal static class ElectionWatchdog
{
    /// <summary>Judges <paramref name="manager"/> now: Healthy when its election loop runs and it follows, or renewed within <paramref name="limit"/>.</summary>
    /// <param name="manager">The replica's manager.</param>
    /// <param name="lease">Its election Lease, as "namespace/name" (for the description of a refusal).</param>
    /// <param name="limit">How old the last renewal of a leader may be.</param>
    /// <param name="rule">The name of <paramref name="limit"/> in descriptions.</param>
    /// <param name="time">The clock the renewals were stamped with.</param>
    public static HealthReportEntry Judge(HaManager manager, string lease, TimeSpan limit, string rule, TimeProvider time)
    {
        if (manager.LeaseRefusal is { } refused)
        {
            // The API server keeps refusing the Lease (RBAC, a missing namespace): this replica can never lead.
            var data = new Dictionary<string, object> { ["identity"] = manager.Identity, ["isLeader"] = manager.IsLeader, ["electionRunning"] = manager.IsElectionRunning };
            return Entry(HealthStatus.Unhealthy, refused.Describe(manager.Identity, $"Lease {lease}"), data);
        }

        return Judge(manager.Identity, manager.IsElectionRunning, manager.IsLeader, manager.ObservedRenewTime, time.GetUtcNow(), limit, rule);
    }

    /// <summary>The rule on plain facts (tested directly).</summary>
    public static HealthReportEntry Judge(string identity, bool running, bool isLeader, DateTimeOffset? lastRenewal, DateTimeOffset now, TimeSpan limit, string rule)
    {
        var data = new Dictionary<string, object> { ["identity"] = identity, ["isLeader"] = isLeader, ["electionRunning"] = running };
        if (!running)
        {
            // A replica whose election loop is gone never leads again: only a restart brings it back.
            return Entry(HealthStatus.Unhealthy, $"The election loop of {identity} is not running (not started, stopped or failed).", data);
        }

        if (!isLeader)
        {
            return Entry(HealthStatus.Healthy, $"{identity} follows.", data);
        }

        var age = lastRenewal is { } renewed ? now - renewed : (TimeSpan?)null;
        if (age is { } a)
        {
            data["secondsSinceRenew"] = Math.Round(a.TotalSeconds, 3);
        }

        return age is null || age > limit
            ? Entry(HealthStatus.Unhealthy, $"{identity} acts as leader but last renewed its Lease {Seconds(age)} ago, more than {rule} ({Seconds(limit)}).", data)
            : Entry(HealthStatus.Healthy, $"{identity} leads, renewed {Seconds(age)} ago.", data);
    }

    private static HealthReportEntry Entry(HealthStatus status, string description, IReadOnlyDictionary<string, object> data) =>
        new(status, description, TimeSpan.Zero, null, data, ["roost-ha"]);

    private static string Seconds(TimeSpan? value) =>
        value is { } v ? v.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + "s" : "never";
}
