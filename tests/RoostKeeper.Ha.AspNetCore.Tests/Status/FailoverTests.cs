using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using RoostKeeper.Ha.AspNetCore.Tests.Infrastructure;

namespace RoostKeeper.Ha.AspNetCore.Tests.Status;

/// <summary>POST /failover: refused without a valid operator token, granted with one, leader-only.</summary>
public sealed class FailoverTests
{
    [Fact]
    public async Task Refused_without_a_token_with_a_bad_token_and_without_the_operator_role_then_granted()
    {
        await using var cluster = await Cluster.StartAsync();
        await using var a = await cluster.ReplicaAsync("replica-a");
        await Cluster.Until(() => a.Manager.IsLeader, "replica-a to lead");
        await using var b = await cluster.ReplicaAsync("replica-b");
        await Cluster.Until(() => b.Manager.LeaderIdentity == "replica-a", "replica-b to follow replica-a");

        Assert.Equal(HttpStatusCode.Unauthorized, (await Post(a, token: null)).StatusCode);
        var wrongKey = new SymmetricSecurityKey(new byte[64]);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Post(a, ReplicaServer.Token("mallory", "operator", key: wrongKey))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Post(a, ReplicaServer.Token("alice", "operator", audience: "another-api"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Post(a, ReplicaServer.Token("alice", "operator", expires: DateTime.UtcNow.AddMinutes(-10)))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Post(a, ReplicaServer.Token("bob", role: "viewer"))).StatusCode);
        Assert.True(a.Manager.IsLeader, "a refused call must not hand over");

        var granted = await Post(a, ReplicaServer.Token("alice", "operator"), new { preferredSuccessor = "replica-b" });

        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
        using var body = JsonDocument.Parse(await granted.Content.ReadAsStringAsync());
        Assert.Equal("replica-a", body.RootElement.GetProperty("handedOverBy").GetString());
        Assert.Equal("replica-b", body.RootElement.GetProperty("preferredSuccessor").GetString());
        await Cluster.Until(() => b.Manager.IsLeader, "replica-b to lead");
        Assert.Contains(a.Logs.Entries, e => e.EventId == 6004 && e.Message.Contains("alice", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_follower_answers_409_naming_the_leader()
    {
        await using var cluster = await Cluster.StartAsync();
        await using var a = await cluster.ReplicaAsync("replica-a");
        await Cluster.Until(() => a.Manager.IsLeader, "replica-a to lead");
        await using var b = await cluster.ReplicaAsync("replica-b");
        await Cluster.Until(() => b.Manager.LeaderIdentity == "replica-a", "replica-b to follow replica-a");

        var response = await Post(b, ReplicaServer.Token("alice", "operator"));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(409, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("replica-a", problem.RootElement.GetProperty("leader").GetString());
        Assert.Contains("send the request to the leader, replica-a", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(a.Manager.IsLeader);
    }

    internal static async Task<HttpResponseMessage> Post(ReplicaServer replica, string? token, object? body = null, string path = "/failover")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (token is not null)
        {
            request.Headers.Authorization = ReplicaServer.Bearer(token);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await replica.Http.SendAsync(request);
    }
}
