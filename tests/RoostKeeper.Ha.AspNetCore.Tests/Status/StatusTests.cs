using System.Net;
using System.Text.Json;
using RoostKeeper.Ha.AspNetCore.Tests.Infrastructure;

namespace RoostKeeper.Ha.AspNetCore.Tests.Status;

/// <summary>GET /status: open, JSON, the same facts on the leader and on a follower.</summary>
public sealed class StatusTests
{
    [Fact]
    public async Task Status_reports_identity_leader_term_transitions_and_health_on_both_replicas()
    {
        await using var cluster = await Cluster.StartAsync();
        await using var a = await cluster.ReplicaAsync("replica-a", o => { o.MutationPolicy = ReplicaServer.OperatorPolicy; o.RoutePrefix = "/ha"; });
        await Cluster.Until(() => a.Manager.IsLeader, "replica-a to lead");
        await using var b = await cluster.ReplicaAsync("replica-b", o => { o.MutationPolicy = ReplicaServer.OperatorPolicy; o.RoutePrefix = "/ha"; });
        await Cluster.Until(() => b.Manager.LeaderIdentity == "replica-a", "replica-b to see replica-a lead");

        using var leader = await Json(a, "/ha/status");
        using var follower = await Json(b, "/ha/status");

        Assert.Equal("replica-a", leader.RootElement.GetProperty("identity").GetString());
        Assert.True(leader.RootElement.GetProperty("isLeader").GetBoolean());
        Assert.Equal("replica-a", leader.RootElement.GetProperty("leader").GetString());
        Assert.Equal(JsonValueKind.Number, leader.RootElement.GetProperty("term").ValueKind);
        Assert.Equal(JsonValueKind.Number, leader.RootElement.GetProperty("leaderTransitions").ValueKind);
        Assert.True(leader.RootElement.GetProperty("apiReachable").GetBoolean());
        var checks = leader.RootElement.GetProperty("health").GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("kubernetes-api").GetProperty("status").GetString());
        Assert.Contains("ready", checks.GetProperty("kubernetes-api").GetProperty("tags").EnumerateArray().Select(t => t.GetString()));

        Assert.Equal("replica-b", follower.RootElement.GetProperty("identity").GetString());
        Assert.False(follower.RootElement.GetProperty("isLeader").GetBoolean());
        Assert.Equal("replica-a", follower.RootElement.GetProperty("leader").GetString());
        Assert.Equal(JsonValueKind.Null, follower.RootElement.GetProperty("term").ValueKind);
    }

    [Fact]
    public async Task Status_of_a_replica_cut_off_from_the_API_server_says_so_and_still_answers()
    {
        await using var cluster = await Cluster.StartAsync();
        await using var a = await cluster.ReplicaAsync("replica-a");
        await Cluster.Until(() => a.Manager.IsLeader, "replica-a to lead");
        await using var b = await cluster.ReplicaAsync("replica-b");
        await Cluster.Until(() => b.Manager.LeaderIdentity == "replica-a", "replica-b to see replica-a lead");

        cluster.Simulation.Faults.Partition("replica-b");
        using var status = await Json(b, "/status");

        Assert.False(status.RootElement.GetProperty("apiReachable").GetBoolean());
        Assert.Equal("replica-a", status.RootElement.GetProperty("leader").GetString());
        Assert.Equal("Unhealthy", status.RootElement.GetProperty("health").GetProperty("checks").GetProperty("kubernetes-api").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Status_without_registered_health_checks_reports_the_election_check()
    {
        await using var cluster = await Cluster.StartAsync();
        await using var a = await cluster.ReplicaAsync("replica-a", healthChecks: false);
        await Cluster.Until(() => a.Manager.IsLeader, "replica-a to lead");

        using var status = await Json(a, "/status");

        Assert.True(status.RootElement.GetProperty("health").GetProperty("checks").TryGetProperty("leader-election", out _));
    }

    private static async Task<JsonDocument> Json(ReplicaServer replica, string path)
    {
        var response = await replica.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }
}
