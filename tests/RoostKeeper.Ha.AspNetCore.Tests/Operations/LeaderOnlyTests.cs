using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RoostKeeper.Ha.AspNetCore.Forwarding;
using RoostKeeper.Ha.AspNetCore.Tests.Infrastructure;

namespace RoostKeeper.Ha.AspNetCore.Tests.Operations;

/// <summary>
/// Leader-only work with two replicas on SimulatedCluster, each on its own Kestrel: a follower answers 409
/// naming the leader and its address, or forwards to it; a restore running when leadership is lost is cancelled.
/// </summary>
public sealed class LeaderOnlyTests
{
    private const string Template = "http://{leader}.replicas.test:8080";

    [Fact]
    public async Task A_follower_answers_409_naming_the_leader_and_its_address()
    {
        await using var cluster = await Cluster.StartAsync();
        using var bed = await BackupBed.CreateAsync(cluster);
        await using var a = await Replica(cluster, bed, "replica-a", forward: false);
        await Cluster.Until(() => a.Manager.IsLeader, "replica-a to lead");
        await using var b = await Replica(cluster, bed, "replica-b", forward: false);
        await Cluster.Until(() => b.Manager.LeaderIdentity == "replica-a", "replica-b to follow replica-a");
        var id = await BackupBed.BackupAsync(a);

        foreach (var (method, path) in new[] { ("POST", "/backup"), ("POST", "/backups"), ("POST", $"/restore/{id}"), ("DELETE", $"/backups/{id}") })
        {
            using var response = await BackupBed.SendAsync(b, new HttpMethod(method), path);

            Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"{method} {path}: {(int)response.StatusCode}");
            using var problem = await BackupBed.ProblemAsync(response);
            Assert.Equal("replica-a", problem.RootElement.GetProperty("leader").GetString());
            Assert.Equal("http://replica-a.replicas.test:8080/", problem.RootElement.GetProperty("leaderAddress").GetString());
        }

        // Validation reads only: any replica runs it. Reads of the shared store are served by the follower too.
        Assert.Equal("Succeeded", (await BackupBed.RunAsync(b, $"/backups/{id}/validate")).GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.OK, (await b.Http.GetAsync($"/backups/{id}")).StatusCode);
    }

    [Fact]
    public async Task A_follower_forwards_to_the_leader_and_forwards_polls_of_its_operations()
    {
        await using var cluster = await Cluster.StartAsync();
        using var bed = await BackupBed.CreateAsync(cluster);
        var ports = new ConcurrentDictionary<string, int>();
        await using var a = await Replica(cluster, bed, "replica-a", forward: true, ports);
        ports["replica-a"] = new Uri(a.BaseAddress).Port;
        await Cluster.Until(() => a.Manager.IsLeader, "replica-a to lead");
        await using var b = await Replica(cluster, bed, "replica-b", forward: true, ports);
        ports["replica-b"] = new Uri(b.BaseAddress).Port;
        await Cluster.Until(() => b.Manager.LeaderIdentity == "replica-a", "replica-b to follow replica-a");

        using var refused = await BackupBed.SendAsync(b, HttpMethod.Post, "/backup", token: ReplicaServer.Token("bob", "viewer"));
        using var response = await BackupBed.SendAsync(b, HttpMethod.Post, "/backup");

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("replica-a", response.Headers.GetValues(LeaderForwarder.LeaderHeader).Single());
        var location = response.Headers.Location!.OriginalString;
        var operation = await BackupBed.FinishedAsync(b, location);
        Assert.Equal("Succeeded", operation.GetProperty("state").GetString());
        Assert.Equal("replica-a", operation.GetProperty("replica").GetString());
        Assert.Equal("alice", operation.GetProperty("requestedBy").GetString());
        var id = operation.GetProperty("result").GetProperty("id").GetString()!;

        var restore = await BackupBed.RunAsync(b, $"/restore/{id}", new { dryRun = true });
        Assert.Equal("Succeeded", restore.GetProperty("state").GetString());
        Assert.Equal("replica-a", restore.GetProperty("replica").GetString());
        Assert.Contains(a.Logs.Entries, e => e.EventId == 6007 && e.Message.Contains("alice", StringComparison.Ordinal));
        Assert.Contains(b.Logs.Entries, e => e.EventId == 6012);

        // A request that was forwarded once is never forwarded again: a replica that does not lead answers 409 itself.
        using var twice = new HttpRequestMessage(HttpMethod.Post, "/backup");
        twice.Headers.Authorization = ReplicaServer.Bearer(BackupBed.Operator);
        twice.Headers.Add(LeaderForwarder.ForwardedHeader, "replica-x");
        using var loop = await b.Http.SendAsync(twice);
        Assert.Equal(HttpStatusCode.Conflict, loop.StatusCode);
    }

    [Fact]
    public async Task A_follower_whose_leader_cannot_be_reached_answers_502_naming_it()
    {
        await using var cluster = await Cluster.StartAsync();
        using var bed = await BackupBed.CreateAsync(cluster);
        var ports = new ConcurrentDictionary<string, int>();
        await using var a = await Replica(cluster, bed, "replica-a", forward: true, ports);
        await Cluster.Until(() => a.Manager.IsLeader, "replica-a to lead");
        await using var b = await Replica(cluster, bed, "replica-b", forward: true, ports);
        await Cluster.Until(() => b.Manager.LeaderIdentity == "replica-a", "replica-b to follow replica-a");

        // replica-a's port is not registered: the name does not resolve.
        using var response = await BackupBed.SendAsync(b, HttpMethod.Post, "/backup");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        using var problem = await BackupBed.ProblemAsync(response);
        Assert.Equal("replica-a", problem.RootElement.GetProperty("leader").GetString());
        Assert.Contains(b.Logs.Entries, e => e.EventId == 6013);
    }

    [Fact]
    public async Task A_restore_running_when_leadership_is_lost_is_cancelled_and_says_so()
    {
        await using var cluster = await Cluster.StartAsync();
        using var bed = await BackupBed.CreateAsync(cluster);
        await using var a = await Replica(cluster, bed, "replica-a", forward: false);
        await Cluster.Until(() => a.Manager.IsLeader, "replica-a to lead");
        await using var b = await Replica(cluster, bed, "replica-b", forward: false);
        await Cluster.Until(() => b.Manager.LeaderIdentity == "replica-a", "replica-b to follow replica-a");
        var id = await BackupBed.BackupAsync(a);
        bed.Store.Close();

        using var started = await BackupBed.SendAsync(a, HttpMethod.Post, $"/restore/{id}");
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var location = started.Headers.Location!.OriginalString;
        await Cluster.Until(() => bed.Store.Waiting > 0, "the restore to read the backup");

        using var handOver = await BackupBed.SendAsync(a, HttpMethod.Post, "/failover", new { preferredSuccessor = "replica-b" });
        Assert.Equal(HttpStatusCode.OK, handOver.StatusCode);
        var operation = await BackupBed.FinishedAsync(a, location);
        bed.Store.Open();

        Assert.Equal("Cancelled", operation.GetProperty("state").GetString());
        var error = operation.GetProperty("error");
        Assert.Equal("LeadershipLost", error.GetProperty("type").GetString());
        Assert.Contains("replica-a stopped leading", error.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains(a.Logs.Entries, e => e.EventId == 6011);
        await Cluster.Until(() => b.Manager.IsLeader, "replica-b to lead");

        // The new leader restores; the old one refuses, naming it.
        Assert.Equal("Succeeded", (await BackupBed.RunAsync(b, $"/restore/{id}", new { dryRun = true })).GetProperty("state").GetString());
        using var refused = await BackupBed.SendAsync(a, HttpMethod.Post, $"/restore/{id}");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal("replica-b", problem.RootElement.GetProperty("leader").GetString());
    }

    [Fact]
    public async Task A_restore_running_when_the_leader_is_cut_off_is_cancelled_at_its_renew_deadline_and_a_validation_goes_on()
    {
        await using var cluster = await Cluster.StartAsync();
        using var bed = await BackupBed.CreateAsync(cluster);
        await using var a = await Replica(cluster, bed, "replica-a", forward: false);
        await Cluster.Until(() => a.Manager.IsLeader, "replica-a to lead");
        var id = await BackupBed.BackupAsync(a);
        bed.Store.Close();
        using var started = await BackupBed.SendAsync(a, HttpMethod.Post, $"/backups/{id}/validate");
        using var restore = await BackupBed.SendAsync(a, HttpMethod.Post, $"/restore/{id}", new { dryRun = true });
        Assert.Equal(HttpStatusCode.Accepted, restore.StatusCode);
        await Cluster.Until(() => bed.Store.Waiting >= 2, "the validation and the restore to read the backup");

        cluster.Simulation.Faults.Partition("replica-a");
        var operation = await BackupBed.FinishedAsync(a, restore.Headers.Location!.OriginalString);

        Assert.False(a.Manager.IsLeader);
        Assert.Equal("Cancelled", operation.GetProperty("state").GetString());
        Assert.Equal("LeadershipLost", operation.GetProperty("error").GetProperty("type").GetString());

        // The validation is not leader work: it goes on, and finishes once the store answers.
        using (var validation = JsonDocument.Parse(await a.Http.GetStringAsync(started.Headers.Location!.OriginalString)))
        {
            Assert.Equal("Running", validation.RootElement.GetProperty("state").GetString());
        }

        bed.Store.Open();
        Assert.Equal("Succeeded", (await BackupBed.FinishedAsync(a, started.Headers.Location!.OriginalString)).GetProperty("state").GetString());
        cluster.Simulation.Faults.Heal("replica-a");
    }

    private static Task<ReplicaServer> Replica(Cluster cluster, BackupBed bed, string name, bool forward, ConcurrentDictionary<string, int>? ports = null) =>
        cluster.ReplicaAsync(
            name,
            o =>
            {
                o.MutationPolicy = ReplicaServer.OperatorPolicy;
                o.LeaderUrlTemplate = Template;
                o.ForwardToLeader = forward;
            },
            healthChecks: false,
            ha: bed.AddBackups,
            services: s => s.AddHttpClient(LeaderForwarder.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // The template's host names resolve to each replica's loopback port, as a headless Service's names resolve to pods.
                ConnectCallback = async (context, token) =>
                {
                    var replica = context.DnsEndPoint.Host.Split('.')[0];
                    if (ports is null || !ports.TryGetValue(replica, out var port))
                    {
                        throw new HttpRequestException($"Name {context.DnsEndPoint.Host} does not resolve.");
                    }

                    var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    try
                    {
                        await socket.ConnectAsync(IPAddress.Loopback, port, token);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
            }));
}
