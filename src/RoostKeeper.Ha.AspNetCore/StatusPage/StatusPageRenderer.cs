using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RoostKeeper.Ha.AspNetCore.Operations;
using RoostKeeper.Ha.AspNetCore.Sharding;
using RoostKeeper.Ha.RollingUpdates;

namespace RoostKeeper.Ha.AspNetCore.StatusPage;

/// <summary>
/// Renders the status page: one self-contained HTML document (inline CSS, no script, no external
/// resource) that reloads itself with a meta refresh. Every value from the cluster is HTML-encoded.
/// </summary>
internal static class StatusPageRenderer
{
    public static string Render(StatusPageModel model)
    {
        var html = new StringBuilder(4096);
        var refresh = Math.Max(1, (int)Math.Round(model.Refresh.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta http-equiv=\"refresh\" content=\"").Append(refresh).Append("\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>RoostKeeper.Ha: ").Append(E(model.Leader ?? "no leader")).Append(" leads</title>")
            .Append("<style>")
            .Append("body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1d2330;background:#f6f7f9}")
            .Append("h1{font-size:1.3rem;margin:0 0 .2rem}h2{font-size:1.05rem;margin:1.4rem 0 .4rem}")
            .Append("table{border-collapse:collapse;background:#fff;min-width:32rem}td,th{border:1px solid #d5d9e0;padding:.3rem .6rem;text-align:left;vertical-align:top}")
            .Append("th{background:#eceff3}.muted{color:#667085}.Healthy{color:#146c2e;font-weight:600}.Degraded{color:#9a6700;font-weight:600}.Unhealthy{color:#b42318;font-weight:600}")
            .Append(".leader{font-size:1.15rem}.problem{color:#b42318}tr.moving td{background:#fff6dc}tr.unowned td{background:#fdecea}")
            .Append("</style></head><body>");

        html.Append("<h1>RoostKeeper.Ha</h1><p class=\"muted\">Lease <code>").Append(E(model.Lease))
            .Append("</code> as seen by <strong id=\"identity\">").Append(E(model.Identity)).Append("</strong> (")
            .Append(model.IsLeader ? "leader" : "follower").Append(") at ").Append(Time(model.RenderedAt))
            .Append(", refreshed every ").Append(refresh).Append(" s.</p>");

        html.Append("<p class=\"leader\">Leader: <strong id=\"leader\">").Append(E(model.Leader ?? "none")).Append("</strong>");
        if (model.LeaderSince is { } since)
        {
            html.Append(" since <span id=\"leader-since\">").Append(Time(since)).Append("</span> (")
                .Append(Age(model.RenderedAt - since)).Append(" ago)");
        }

        html.Append("</p><p class=\"muted\">Transitions: <span id=\"transitions\">")
            .Append(model.LeaderTransitions.ToString(CultureInfo.InvariantCulture)).Append("</span>");
        if (model.LastRenewTime is { } renewed)
        {
            html.Append(", last renewal ").Append(Time(renewed));
        }

        html.Append(".</p>");
        foreach (var problem in model.Problems)
        {
            html.Append("<p class=\"problem\">").Append(E(problem)).Append("</p>");
        }

        html.Append("<h2>Replicas seen</h2><table id=\"replicas\"><tr><th>Replica</th><th>Role</th><th>Published health</th><th>Published at</th></tr>");
        foreach (var replica in model.Replicas)
        {
            html.Append("<tr><td>").Append(E(replica.Identity)).Append("</td><td>").Append(replica.Leads ? "leader" : "follower")
                .Append("</td><td>");
            if (replica.Health is { } health)
            {
                html.Append("<span class=\"").Append(E(health)).Append("\">").Append(E(health)).Append("</span>")
                    .Append(replica.Fresh ? "" : " <span class=\"muted\">(stale)</span>");
            }
            else
            {
                html.Append("<span class=\"muted\">not published</span>");
            }

            html.Append("</td><td>").Append(replica.RenewedAt is { } at ? Time(at) : "<span class=\"muted\">-</span>").Append("</td></tr>");
        }

        html.Append("</table>");
        RenderShards(html, model.Shards, model.RenderedAt);

        html.Append("<h2>Health: <span id=\"health\" class=\"").Append(model.Health.Status).Append("\">").Append(model.Health.Status)
            .Append("</span></h2><table id=\"checks\"><tr><th>Check</th><th>Status</th><th>Description</th><th>Took</th></tr>");
        foreach (var (name, entry) in model.Health.Entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            html.Append("<tr><td>").Append(E(name)).Append("</td><td class=\"").Append(entry.Status).Append("\">").Append(entry.Status)
                .Append("</td><td>").Append(E(entry.Description ?? "")).Append("</td><td>")
                .Append(entry.Duration.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)).Append(" ms</td></tr>");
        }

        html.Append("</table>");
        RenderRunning(html, model.Running);
        RenderBackups(html, model.Backups);
        RenderUpdates(html, model.Updates);
        html.Append("<p class=\"muted\">JSON: <a href=\"status\">status</a>")
            .Append(model.Backups is null ? "" : ", <a href=\"backups\">backups</a>")
            .Append(", <a href=\"operations\">operations</a>")
            .Append(model.Shards is null ? "" : ", <a href=\"shards\">shards</a>")
            .Append(model.Updates is null ? "" : ", <a href=\"updates\">updates</a>")
            .Append(".</p></body></html>");
        return html.ToString();
    }

    /// <summary>
    /// The shard map: who holds each shard, where the leader wants it, its term, and the shards moving or without a
    /// holder highlighted. Identities come from Leases any replica (or anyone allowed to write Leases) can write.
    /// </summary>
    private static void RenderShards(StringBuilder html, ShardMapDocument? shards, DateTimeOffset now)
    {
        if (shards is null)
        {
            return;
        }

        var count = shards.ShardCount.ToString(CultureInfo.InvariantCulture);
        html.Append("<h2>Shards</h2>");
        if (shards.ObservedAt is not { } observedAt)
        {
            html.Append("<p class=\"muted\" id=\"shards\">").Append(E(shards.ObservedBy)).Append(" has not read the shard table yet (")
                .Append(count).Append(" shards configured).</p>");
            return;
        }

        html.Append("<p id=\"shard-summary\">").Append(count).Append(" shards over ")
            .Append(shards.Members.Count.ToString(CultureInfo.InvariantCulture)).Append(shards.Members.Count == 1 ? " member" : " members");
        if (shards.Members.Count > 0)
        {
            html.Append(" (").Append(E(string.Join(", ", shards.Members))).Append(')');
        }

        html.Append("; this replica owns ")
            .Append(shards.Owned.Count == 0 ? "none" : shards.Owned.Count.ToString(CultureInfo.InvariantCulture) + ": " + string.Join(", ", shards.Owned.Select(o => o.Shard.ToString(CultureInfo.InvariantCulture))))
            .Append(". <span class=\"muted\">Table as observed by ").Append(E(shards.ObservedBy)).Append(" at ").Append(Time(observedAt))
            .Append(" (").Append(Age(now - observedAt)).Append(" ago).</span></p>");
        if (!shards.CountAgrees)
        {
            html.Append("<p class=\"problem\">The shard table has ").Append(shards.Shards.Count.ToString(CultureInfo.InvariantCulture))
                .Append(" shards but this replica is configured with ").Append(count)
                .Append(": it takes no shards until every replica runs with the table's count (ShardingOptions.Shards).</p>");
        }

        html.Append("<table id=\"shards\"><tr><th>Shard</th><th>Holder</th><th>Target</th><th>Term</th><th>State</th></tr>");
        foreach (var shard in shards.Shards)
        {
            html.Append(shard.State switch { ShardState.Moving => "<tr class=\"moving\">", ShardState.Unowned => "<tr class=\"unowned\">", _ => "<tr>" })
                .Append("<td>").Append(shard.Shard.ToString(CultureInfo.InvariantCulture)).Append("</td><td>").Append(Identity(shard.Holder))
                .Append("</td><td>").Append(Identity(shard.Target)).Append("</td><td>").Append(shard.Term.ToString(CultureInfo.InvariantCulture))
                .Append("</td><td><span class=\"").Append(shard.State switch { ShardState.Held => "Healthy", ShardState.Moving => "Degraded", _ => "Unhealthy" })
                .Append("\">").Append(shard.State).Append("</span>");
            if (shard.UnownedSince is { } since)
            {
                html.Append(" since ").Append(Time(since)).Append(" (").Append(Age(now - since)).Append(')');
            }

            html.Append("</td></tr>");
        }

        html.Append("</table>");
    }

    private static string Identity(string? identity) => identity is null ? "<span class=\"muted\">none</span>" : E(identity);

    private static void RenderRunning(StringBuilder html, IReadOnlyList<OperationDocument>? running)
    {
        if (running is not { Count: > 0 })
        {
            return;
        }

        html.Append("<h2>Running operations</h2><table id=\"operations\"><tr><th>Operation</th><th>Kind</th><th>Backup</th><th>Phase</th><th>Objects</th><th>Started</th></tr>");
        foreach (var operation in running)
        {
            html.Append("<tr><td>").Append(E(operation.Id)).Append("</td><td>").Append(operation.Kind).Append(operation.DryRun == true ? " (dry run)" : "")
                .Append("</td><td>").Append(E(operation.BackupId ?? "-")).Append("</td><td>").Append(E(operation.Progress.Phase))
                .Append("</td><td>").Append(operation.Progress.Objects.ToString(CultureInfo.InvariantCulture))
                .Append(operation.Progress.Total is { } total ? " / " + total.ToString(CultureInfo.InvariantCulture) : "")
                .Append("</td><td>").Append(Time(operation.CreatedAt)).Append("</td></tr>");
        }

        html.Append("</table>");
    }

    private static void RenderBackups(StringBuilder html, IReadOnlyList<BackupRow>? backups)
    {
        if (backups is null)
        {
            return;
        }

        html.Append("<h2>Last backups</h2>");
        if (backups.Count == 0)
        {
            html.Append("<p class=\"muted\" id=\"backups\">No backups yet.</p>");
            return;
        }

        html.Append("<table id=\"backups\"><tr><th>Backup</th><th>Created</th><th>Objects</th><th>Size</th><th>Validation</th></tr>");
        foreach (var backup in backups)
        {
            var validation = backup.Validation;
            html.Append("<tr><td>").Append(E(backup.Id)).Append("</td><td>").Append(Time(backup.CreatedAt)).Append("</td><td>")
                .Append(backup.Objects.ToString(CultureInfo.InvariantCulture)).Append("</td><td>").Append(Size(backup.Bytes))
                .Append("</td><td><span class=\"").Append(validation.State switch { ValidationState.Valid => "Healthy", ValidationState.Invalid => "Unhealthy", _ => "muted" })
                .Append("\">").Append(validation.State).Append("</span>");
            if (validation.CheckedAt is { } at)
            {
                html.Append(" <span class=\"muted\">(").Append(E(validation.How ?? "")).Append(", ").Append(Time(at)).Append(")</span>");
            }

            if (validation.Error is { } error)
            {
                html.Append("<br><span class=\"problem\">").Append(E(error)).Append("</span>");
            }

            html.Append("</td></tr>");
        }

        html.Append("</table>");
    }

    private static void RenderUpdates(StringBuilder html, IReadOnlyList<RollingUpdateStatus>? updates)
    {
        if (updates is null)
        {
            return;
        }

        html.Append("<h2>Last updates</h2>");
        if (updates.Count == 0)
        {
            html.Append("<p class=\"muted\" id=\"updates\">No rolling updates by this replica yet.</p>");
            return;
        }

        html.Append("<table id=\"updates\"><tr><th>Update</th><th>Deployment</th><th>Images</th><th>Phase</th><th>Progress</th><th>Started</th></tr>");
        foreach (var update in updates)
        {
            var phase = update.Phase switch { RollingUpdatePhase.Succeeded => "Healthy", RollingUpdatePhase.RolledBack => "Degraded", RollingUpdatePhase.Failed or RollingUpdatePhase.TimedOut => "Unhealthy", _ => "muted" };
            html.Append("<tr><td>").Append(E(update.Id)).Append("</td><td>").Append(E(update.Namespace + "/" + update.Deployment)).Append("</td><td>")
                .Append(E(string.Join(", ", update.Images.Select(i => i.Key + "=" + i.Value)))).Append("</td><td><span class=\"").Append(phase).Append("\">")
                .Append(update.Phase).Append("</span></td><td>").Append((update.Progress * 100).ToString("0", CultureInfo.InvariantCulture)).Append(" %</td><td>")
                .Append(Time(update.StartedAt)).Append("</td></tr>");
        }

        html.Append("</table>");
    }

    private static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        _ => (bytes / (1024.0 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
    };

    private static string E(string value) => WebUtility.HtmlEncode(value);

    private static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Age(TimeSpan age) => age switch
    {
        { TotalSeconds: < 0 } => "0 s",
        { TotalMinutes: < 2 } => $"{(int)age.TotalSeconds} s",
        { TotalHours: < 2 } => $"{(int)age.TotalMinutes} min",
        _ => $"{(int)age.TotalHours} h",
    };
}
