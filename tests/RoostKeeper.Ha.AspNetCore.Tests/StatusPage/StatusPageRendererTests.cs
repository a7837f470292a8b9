using Microsoft.Extensions.Diagnostics.HealthChecks;
using RoostKeeper.Ha.AspNetCore.Operations;
using RoostKeeper.Ha.AspNetCore.Sharding;
using RoostKeeper.Ha.AspNetCore.StatusPage;
using RoostKeeper.Ha.AspNetCore.Tests.Sharding;
using RoostKeeper.Ha.Sharding;
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
        Assert.DoesNotContain("<h2>Shards</h2>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"shards\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_shard_map_mid_move_is_a_table_with_moving_and_unowned_shards_highlighted()
    {
        var ownership = new FakeShardOwnership("replica-a", 4);
        ownership.Observe(ShardEndpointTests.MidMove(), ownership.Owned(0, 12, Now.AddMinutes(-5)), ownership.Owned(1, 9, Now.AddMinutes(-7)));
        var observedAt = ShardEndpointTests.Observed;

        var html = StatusPageRenderer.Render(Model(ShardMapDocument.From(ownership), observedAt.AddSeconds(4)));

        Assert.Contains("<p id=\"shard-summary\">4 shards over 2 members (replica-a, replica-b); this replica owns 2: 0, 1. <span class=\"muted\">Table as observed by replica-a at 2026-12-06 10:00:00 UTC (4 s ago).</span></p>", html, StringComparison.Ordinal);
        Assert.Contains("<table id=\"shards\"><tr><th>Shard</th><th>Holder</th><th>Target</th><th>Term</th><th>State</th></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><td>0</td><td>replica-a</td><td>replica-a</td><td>12</td><td><span class=\"Healthy\">Held</span></td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<tr class=\"moving\"><td>1</td><td>replica-a</td><td>replica-b</td><td>9</td><td><span class=\"Degraded\">Moving</span></td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<tr class=\"unowned\"><td>2</td><td><span class=\"muted\">none</span></td><td>replica-b</td><td>7</td><td><span class=\"Unhealthy\">Unowned</span> since 2026-12-06 09:59:57 UTC (7 s)</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><td>3</td><td>replica-b</td><td>replica-b</td><td>14</td>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"shards\">shards</a>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("class=\"problem\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Hostile_identities_in_the_shard_map_are_html_encoded()
    {
        var ownership = new FakeShardOwnership("replica-a", 2);
        ownership.Observe(new ShardMap(ShardEndpointTests.Hostile, Now, [ShardEndpointTests.Hostile, ShardEndpointTests.Quoted],
            [new ShardMapEntry(0, ShardEndpointTests.Hostile, ShardEndpointTests.Quoted, 3, null), new ShardMapEntry(1, null, null, 2, Now)]));

        var html = StatusPageRenderer.Render(Model(ShardMapDocument.From(ownership), Now));

        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<!--", html, StringComparison.Ordinal);
        Assert.DoesNotContain("\"b\"", html, StringComparison.Ordinal);
        Assert.Contains("<tr class=\"moving\"><td>0</td><td>replica-&quot;b&quot; &amp; &#39;c&#39;\n&lt;!--</td><td>&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("Table as observed by &lt;script&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Before_the_shard_table_is_read_the_section_says_so()
    {
        var html = StatusPageRenderer.Render(Model(ShardMapDocument.From(new FakeShardOwnership("replica-a", 16)), Now));

        Assert.Contains("<h2>Shards</h2><p class=\"muted\" id=\"shards\">replica-a has not read the shard table yet (16 shards configured).</p>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<table id=\"shards\">", html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_table_with_another_shard_count_is_reported_as_a_problem()
    {
        var ownership = new FakeShardOwnership("replica-a", 8);
        ownership.Observe(ShardEndpointTests.MidMove());

        var html = StatusPageRenderer.Render(Model(ShardMapDocument.From(ownership), Now));

        Assert.Contains("<p class=\"problem\">The shard table has 4 shards but this replica is configured with 8: it takes no shards until every replica runs with the table's count (ShardingOptions.Shards).</p>", html, StringComparison.Ordinal);
        Assert.Contains("this replica owns none.", html, StringComparison.Ordinal);
    }

    private static StatusPageModel Model(ShardMapDocument shards, DateTimeOffset now) => new(
        "replica-a", true, "ns/lease", "replica-a", now, now, 1, [], new HealthReport(new Dictionary<string, HealthReportEntry>(), TimeSpan.Zero), [], now, TimeSpan.FromSeconds(5), Shards: shards);
}
