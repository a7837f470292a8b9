using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using RoostKeeper.Ha.AspNetCore.Tests.Infrastructure;
using RoostKeeper.Ha.AspNetCore.Tests.Sharding;
using RoostKeeper.Ha.Sharding;

namespace RoostKeeper.Ha.AspNetCore.Tests.StatusPage;

/// <summary>
/// The status page in a real browser: Debian's chromium (installed by .ci/run) loads it headless from a
/// replica's Kestrel, shows the leader and the last backups, and after a hand-over the new leader, the
/// backup's validation state and the rolling update it ran; with sharded leadership, the shard map, where an
/// identity someone wrote into the table stays text. With ROOSTHA_SCREENSHOT_DIR set, the screenshots are also
/// copied there (status-page.png is docs/images/status-page.png; status-page-shards.png, with the hostile name
/// on show, is for looking at, not for the docs).
/// </summary>
public sealed partial class HeadlessBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly TimeSpan BrowserTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task The_page_loads_in_chromium_shows_the_leader_backups_and_updates_and_changes_after_a_hand_over()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium (apt-get install -y chromium), as .ci/run does.");
        await using var cluster = await Cluster.StartAsync();
        using var bed = await BackupBed.CreateAsync(cluster);
        await using var a = await cluster.ReplicaAsync("replica-a", o => { o.MutationPolicy = ReplicaServer.OperatorPolicy; o.RoutePrefix = "/ha"; }, ha: bed.AddBackups);
        await Cluster.Until(() => a.Manager.IsLeader, "replica-a to lead");
        await using var b = await cluster.ReplicaAsync("replica-b", o => { o.MutationPolicy = ReplicaServer.OperatorPolicy; o.RoutePrefix = "/ha"; }, ha: bed.AddBackups);
        await Cluster.Until(() => b.Manager.LeaderIdentity == "replica-a", "replica-b to follow replica-a");
        var backup = await BackupBed.BackupAsync(a, "/ha/backup");
        var page = b.BaseAddress + "/ha/";

        var before = await DumpDomAsync(page);
        Assert.Equal("replica-a", Leader(before));
        Assert.Contains("<strong id=\"identity\">replica-b</strong>", before, StringComparison.Ordinal);
        Assert.Contains("<meta http-equiv=\"refresh\"", before, StringComparison.Ordinal);
        Assert.Contains($"<tr><td>{backup}</td>", before, StringComparison.Ordinal);
        Assert.Contains("<span class=\"muted\">NotValidated</span>", before, StringComparison.Ordinal);

        var handOver = await FailoverTests_Post(a);
        Assert.Equal(HttpStatusCode.OK, handOver.StatusCode);
        await Cluster.Until(() => b.Manager.IsLeader, "replica-b to lead");
        await Cluster.Until(async () => Leader(await DumpDomAsync(page)) == "replica-b", "the page to show replica-b as leader");

        // The new leader validates the backup and runs a rolling update; its page shows both.
        Assert.Equal("Succeeded", (await BackupBed.RunAsync(b, $"/ha/backups/{backup}/validate")).GetProperty("state").GetString());
        await Deployments.CreateAsync(bed.Admin);
        var update = await Deployments.UpdateAsync(b, "roost-keeper:v2");

        // Both replicas publish their health Leases; the page lists them.
        await Cluster.Until(async () => (await DumpDomAsync(page)) is var dom && dom.Contains("<td>replica-a</td><td>follower</td><td><span class=\"Healthy\">", StringComparison.Ordinal), "the page to list replica-a as a healthy follower");
        var after = await DumpDomAsync(page);
        Assert.Contains($"<tr><td>{backup}</td>", after, StringComparison.Ordinal);
        Assert.Contains("<span class=\"Healthy\">Valid</span>", after, StringComparison.Ordinal);
        Assert.Contains($"<tr><td>{update.Id}</td><td>{Cluster.Namespace}/{Deployments.Name}</td>", after, StringComparison.Ordinal);
        Assert.Contains("<span class=\"Healthy\">Succeeded</span>", after, StringComparison.Ordinal);
        var screenshot = await ScreenshotAsync(page);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], screenshot[..4]);
        if (Environment.GetEnvironmentVariable("ROOSTHA_SCREENSHOT_DIR") is { Length: > 0 } dir)
        {
            Directory.CreateDirectory(dir);
            await File.WriteAllBytesAsync(Path.Combine(dir, "status-page.png"), screenshot);
        }
    }

    [Fact]
    public async Task The_shard_map_renders_in_chromium_with_moves_highlighted_and_a_hostile_identity_stays_text()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium (apt-get install -y chromium), as .ci/run does.");
        await using var cluster = await Cluster.StartAsync();
        var ownership = new FakeShardOwnership("replica-a", 4);
        await using var a = await cluster.ReplicaAsync("replica-a", o => { o.MutationPolicy = ReplicaServer.OperatorPolicy; o.RoutePrefix = "/ha"; },
            services: s => s.AddSingleton<IShardOwnership>(ownership));
        await Cluster.Until(() => a.Manager.IsLeader, "replica-a to lead");
        var now = DateTimeOffset.UtcNow;
        const string Hostile = ShardEndpointTests.Hostile;
        ownership.Observe(
            new ShardMap("replica-a", now, ["replica-a", Hostile],
            [
                new ShardMapEntry(0, "replica-a", "replica-a", 12, null),
                new ShardMapEntry(1, Hostile, "replica-a", 9, null),
                new ShardMapEntry(2, Hostile, null, 7, now.AddSeconds(-3)),
                new ShardMapEntry(3, Hostile, Hostile, 14, null),
            ]),
            ownership.Owned(0, 12, now.AddMinutes(-5)), ownership.Owned(1, 9, now.AddMinutes(-7)));
        var page = a.BaseAddress + "/ha/";

        var dom = await DumpDomAsync(page);

        // chromium ran the page (its DOM is dumped after load): the identity is text, no element, so no script ran.
        Assert.Equal("replica-a", Leader(dom));
        Assert.Matches("<title>RoostKeeper.Ha: replica-a leads</title>", dom);
        Assert.DoesNotContain("pwned</title>", dom, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", dom, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", dom, StringComparison.Ordinal);
        const string AsText = "&lt;script&gt;document.title='pwned'&lt;/script&gt;&lt;img src=x onerror=\"document.title='pwned'\"&gt;";
        Assert.Contains("<h2>Shards</h2>", dom, StringComparison.Ordinal);
        Assert.Contains($"4 shards over 2 members (replica-a, {AsText}); this replica owns 2: 0, 1.", dom, StringComparison.Ordinal);
        Assert.Contains("<tr><td>0</td><td>replica-a</td><td>replica-a</td><td>12</td><td><span class=\"Healthy\">Held</span></td></tr>", dom, StringComparison.Ordinal);
        Assert.Contains($"<tr class=\"moving\"><td>1</td><td>replica-a</td><td>{AsText}</td><td>9</td><td><span class=\"Degraded\">Moving</span></td></tr>", dom, StringComparison.Ordinal);
        Assert.Contains($"<tr class=\"unowned\"><td>2</td><td><span class=\"muted\">none</span></td><td>{AsText}</td><td>7</td><td><span class=\"Unhealthy\">Unowned</span> since ", dom, StringComparison.Ordinal);
        Assert.Contains($"<tr><td>3</td><td>{AsText}</td><td>{AsText}</td><td>14</td>", dom, StringComparison.Ordinal);

        var screenshot = await ScreenshotAsync(page);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], screenshot[..4]);
        if (Environment.GetEnvironmentVariable("ROOSTHA_SCREENSHOT_DIR") is { Length: > 0 } dir)
        {
            Directory.CreateDirectory(dir);
            await File.WriteAllBytesAsync(Path.Combine(dir, "status-page-shards.png"), screenshot);
        }
    }

    private static Task<HttpResponseMessage> FailoverTests_Post(ReplicaServer leader) =>
        Status.FailoverTests.Post(leader, ReplicaServer.Token("alice", "operator"), new { preferredSuccessor = "replica-b" }, "/ha/failover");

    private static string? Leader(string dom) => LeaderPattern().Match(dom) is { Success: true } m ? m.Groups[1].Value : null;

    private static async Task<string> DumpDomAsync(string url)
    {
        var (output, _) = await RunChromiumAsync(["--dump-dom", url], null);
        return output;
    }

    private static async Task<byte[]> ScreenshotAsync(string url)
    {
        var folder = Directory.CreateTempSubdirectory("roostha-shot-");
        try
        {
            var path = Path.Combine(folder.FullName, "page.png");
            await RunChromiumAsync(["--screenshot=" + path, "--window-size=1100,1000", "--hide-scrollbars", url], path);
            return await File.ReadAllBytesAsync(path);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task<(string Output, string Errors)> RunChromiumAsync(string[] arguments, string? expectedFile)
    {
        var profile = Directory.CreateTempSubdirectory("roostha-chromium-");
        try
        {
            var start = new ProcessStartInfo(Chromium)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[]
                     {
                         "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--user-data-dir=" + profile.FullName,
                     }.Concat(arguments))
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException("chromium did not start.");
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(BrowserTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"chromium did not finish within {BrowserTimeout}: {string.Join(' ', arguments)}");
            }

            var (stdout, stderr) = (await output, await errors);
            Assert.True(process.ExitCode == 0, $"chromium exited with {process.ExitCode}:\n{stderr}");
            Assert.True(expectedFile is null || File.Exists(expectedFile), $"chromium wrote no {expectedFile}:\n{stderr}");
            return (stdout, stderr);
        }
        finally
        {
            try
            {
                profile.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A leftover profile folder in /tmp is harmless.
            }
        }
    }

    [GeneratedRegex("<strong id=\"leader\">([^<]*)</strong>")]
    private static partial Regex LeaderPattern();
}
