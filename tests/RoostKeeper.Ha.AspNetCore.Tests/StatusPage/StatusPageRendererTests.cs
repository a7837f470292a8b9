using Microsoft.Extensions.Diagnostics.HealthChecks;
using RoostKeeper.Ha.AspNetCore.Operations;
using RoostKeeper.Ha.AspNetCore.StatusPage;
using RoostKeeper.Ha.RollingUpdates;

namespace RoostKeeper.Ha.AspNetCore.Tests.StatusPage;

/// <summary>The page's HTML: every value from the cluster is encoded, the page refreshes itself.</summary>
public sealed class StatusPageRendererTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Values_from_the_cluster_are_html_encoded()
    {
        const string Hostile = "<script>alert('x')</script>";
        var health = new HealthReport(
            new Dictionary<string, HealthReportEntry> { [Hostile] = new(HealthStatus.Unhealthy, "<img src=x onerror=alert(1)>", TimeSpan.FromMilliseconds(3), null, null) },
            TimeSpan.FromMilliseconds(3));
        var model = new StatusPageModel(Hostile, false, "ns/\"lease\"", Hostile, Now.AddMinutes(-3), Now, 2,
            [new ReplicaRow(Hostile, true, "<b>Healthy</b>", Now, true)], health, ["Could not read <x>."], Now, TimeSpan.FromSeconds(5));

        var html = StatusPageRenderer.Render(model);

        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>Healthy", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<x>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("ns/&quot;lease&quot;", html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_page_shows_leader_since_replicas_and_checks_and_refreshes_itself()
    {
        var health = new HealthReport(
            new Dictionary<string, HealthReportEntry> { ["kubernetes-api"] = new(HealthStatus.Healthy, "API reachable.", TimeSpan.FromMilliseconds(4), null, null) },
            TimeSpan.FromMilliseconds(4));
        var model = new StatusPageModel("replica-b", false, "roost-system/roost", "replica-a", Now.AddMinutes(-3), Now, 4,
            [new ReplicaRow("replica-a", true, "Healthy", Now, true), new ReplicaRow("replica-b", false, "Degraded", Now.AddMinutes(-10), false)],
            health, [], Now, TimeSpan.FromSeconds(7));

        var html = StatusPageRenderer.Render(model);

        Assert.Contains("<meta http-equiv=\"refresh\" content=\"7\">", html, StringComparison.Ordinal);
        Assert.Contains("<strong id=\"leader\">replica-a</strong> since <span id=\"leader-since\">2026-11-28 11:57:00 UTC</span> (3 min ago)", html, StringComparison.Ordinal);
        Assert.Contains("<td>replica-b</td><td>follower</td><td><span class=\"Degraded\">Degraded</span> <span class=\"muted\">(stale)</span>", html, StringComparison.Ordinal);
        Assert.Contains("<td>kubernetes-api</td><td class=\"Healthy\">Healthy</td><td>API reachable.</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Backups_with_their_validation_and_updates_are_shown_and_encoded()
    {
        var health = new HealthReport(new Dictionary<string, HealthReportEntry>(), TimeSpan.Zero);
        var backups = new[]
        {
            new BackupRow("20261128-120000-aaaaaa", Now.AddMinutes(-1), 12, 3 * 1024, new ValidationDocument(ValidationState.Valid, Now, "replica-a", "validation", null)),
            new BackupRow("20261128-110000-bbbbbb", Now.AddHours(-1), 12, 2048, new ValidationDocument(ValidationState.Invalid, Now, "replica-a", "validation", "<hash> differs")),
            new BackupRow("20261128-100000-cccccc", Now.AddHours(-2), 0, 10, ValidationDocument.NotValidated),
        };
        var updates = new[]
        {
            new RollingUpdateStatus
            {
                Id = "upd-1", Namespace = "roost-system", Deployment = "manager", Images = new Dictionary<string, string> { ["manager"] = "roost:<v2>" },
                StartedAt = Now, Phase = RollingUpdatePhase.RolledBack, Progress = 1, Message = "rolled back", Timeline = [],
            },
        };
        var model = new StatusPageModel("replica-a", true, "ns/lease", "replica-a", Now, Now, 1, [], health, [], Now, TimeSpan.FromSeconds(5), backups, updates, []);

        var html = StatusPageRenderer.Render(model);

        Assert.Contains("<tr><td>20261128-120000-aaaaaa</td><td>2026-11-28 11:59:00 UTC</td><td>12</td><td>3.0 KiB</td><td><span class=\"Healthy\">Valid</span>", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"Unhealthy\">Invalid</span>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;hash&gt; differs", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"muted\">NotValidated</span>", html, StringComparison.Ordinal);
        Assert.Contains("<td>manager=roost:&lt;v2&gt;</td><td><span class=\"Degraded\">RolledBack</span>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<v2>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"backups\">backups</a>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_backups_or_updates_configured_their_sections_are_left_out()
    {
        var health = new HealthReport(new Dictionary<string, HealthReportEntry>(), TimeSpan.Zero);
        var model = new StatusPageModel("replica-a", true, "ns/lease", "replica-a", Now, Now, 1, [], health, [], Now, TimeSpan.FromSeconds(5));

        var html = StatusPageRenderer.Render(model);

        Assert.DoesNotContain("Last backups", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Last updates", html, StringComparison.Ordinal);
    }
}
