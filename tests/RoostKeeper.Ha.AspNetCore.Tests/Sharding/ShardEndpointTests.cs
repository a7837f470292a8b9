using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using RoostKeeper.Ha.AspNetCore.Tests.Infrastructure;
using RoostKeeper.Ha.Sharding;

namespace RoostKeeper.Ha.AspNetCore.Tests.Sharding;

/// <summary>
/// GET /shards and the <c>sharding</c> part of GET /status, against a fake <see cref="IShardOwnership"/> in DI: 501
/// without sharding, an empty map before the first read, a map mid-move, identities someone hostile wrote, and the
/// same authorization as the status endpoints.
/// </summary>
public sealed class ShardEndpointTests
{
    internal static readonly DateTimeOffset Observed = new(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Without_sharded_leadership_shards_answer_501_saying_what_to_add_and_status_has_no_sharding()
    {
        await using var cluster = await Cluster.StartAsync();
        await using var a = await cluster.ReplicaAsync("replica-a", healthChecks: false);

        using var shards = await a.Http.GetAsync("/shards");
        using var status = await Json(a, "/status");

        Assert.Equal(HttpStatusCode.NotImplemented, shards.StatusCode);
        Assert.Equal("application/problem+json", shards.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await shards.Content.ReadAsStringAsync());
        Assert.Equal("Shards are not configured.", problem.RootElement.GetProperty("title").GetString());
        Assert.Contains("AddShardedLeadership", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, status.RootElement.GetProperty("sharding").ValueKind);
        var page = await a.Http.GetStringAsync("/");
        Assert.Contains("<h2>Replicas seen</h2>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<h2>Shards</h2>", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Before_the_table_is_first_read_the_map_is_empty_and_says_so()
    {
        await using var cluster = await Cluster.StartAsync();
        var ownership = new FakeShardOwnership("replica-a", 16);
        await using var a = await cluster.ReplicaAsync("replica-a", healthChecks: false, services: s => s.AddSingleton<IShardOwnership>(ownership));

        using var shards = await Json(a, "/shards");
        using var status = await Json(a, "/status");

        var map = shards.RootElement;
        Assert.Equal("replica-a", map.GetProperty("identity").GetString());
        Assert.Equal(16, map.GetProperty("shardCount").GetInt32());
        Assert.Equal("replica-a", map.GetProperty("observedBy").GetString());
        Assert.Equal(JsonValueKind.Null, map.GetProperty("observedAt").ValueKind);
        Assert.Empty(map.GetProperty("members").EnumerateArray());
        Assert.Empty(map.GetProperty("owned").EnumerateArray());
        Assert.Empty(map.GetProperty("shards").EnumerateArray());

        var summary = status.RootElement.GetProperty("sharding");
        Assert.Equal(16, summary.GetProperty("shardCount").GetInt32());
        Assert.Empty(summary.GetProperty("ownedShards").EnumerateArray());
        Assert.Equal((0, 0, 0, 0), (summary.GetProperty("memberCount").GetInt32(), summary.GetProperty("held").GetInt32(), summary.GetProperty("moving").GetInt32(), summary.GetProperty("unowned").GetInt32()));
        Assert.Equal(JsonValueKind.Null, summary.GetProperty("observedAt").ValueKind);
        var page = await a.Http.GetStringAsync("/");
        Assert.Contains("replica-a has not read the shard table yet (16 shards configured).", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_table_the_replica_refuses_is_named_in_the_json_and_as_a_problem_on_the_page()
    {
        await using var cluster = await Cluster.StartAsync();
        var ownership = new FakeShardOwnership("replica-a", 16) { Problem = "the shard table has 8 shards and this replica is configured with 16 <b>" };
        await using var a = await cluster.ReplicaAsync("replica-a", healthChecks: false, services: s => s.AddSingleton<IShardOwnership>(ownership));

        using var shards = await Json(a, "/shards");
        var page = await a.Http.GetStringAsync("/");

        Assert.Equal(ownership.Problem, shards.RootElement.GetProperty("problem").GetString());
        Assert.Contains("Sharding: the shard table has 8 shards and this replica is configured with 16 &lt;b&gt;", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_map_mid_move_shows_each_shard_s_holder_target_term_and_state_and_what_this_replica_owns()
    {
        await using var cluster = await Cluster.StartAsync();
        var ownership = new FakeShardOwnership("replica-a", 4);
        await using var a = await cluster.ReplicaAsync("replica-a", healthChecks: false, services: s => s.AddSingleton<IShardOwnership>(ownership));
        ownership.Observe(MidMove(), ownership.Owned(0, 12, Observed.AddMinutes(-5)), ownership.Owned(1, 9, Observed.AddMinutes(-7)));

        using var shards = await Json(a, "/shards");
        using var status = await Json(a, "/status");

        var map = shards.RootElement;
        Assert.Equal(Observed, map.GetProperty("observedAt").GetDateTimeOffset());
        Assert.Equal<string?>(["replica-a", "replica-b"], map.GetProperty("members").EnumerateArray().Select(m => m.GetString()));
        var owned = map.GetProperty("owned").EnumerateArray().ToList();
        Assert.Equal([(0, 12L), (1, 9L)], owned.Select(o => (o.GetProperty("shard").GetInt32(), o.GetProperty("term").GetInt64())));
        Assert.Equal(Observed.AddMinutes(-5), owned[0].GetProperty("acquiredAt").GetDateTimeOffset());

        var entries = map.GetProperty("shards").EnumerateArray().ToList();
        Assert.Equal(4, entries.Count);
        Assert.Equal<(int, string?, string?, long, string?)>(
            [
                (0, "replica-a", "replica-a", 12L, "Held"),
                (1, "replica-a", "replica-b", 9L, "Moving"),
                (2, null, "replica-b", 7L, "Unowned"),
                (3, "replica-b", "replica-b", 14L, "Held"),
            ],
            entries.Select(e => (e.GetProperty("shard").GetInt32(), e.GetProperty("holder").GetString(), e.GetProperty("target").GetString(), e.GetProperty("term").GetInt64(), e.GetProperty("state").GetString())));
        Assert.Equal(Observed.AddSeconds(-3), entries[2].GetProperty("unownedSince").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, entries[1].GetProperty("unownedSince").ValueKind);

        var summary = status.RootElement.GetProperty("sharding");
        Assert.Equal([0, 1], summary.GetProperty("ownedShards").EnumerateArray().Select(s => s.GetInt32()));
        Assert.Equal((2, 2, 1, 1), (summary.GetProperty("memberCount").GetInt32(), summary.GetProperty("held").GetInt32(), summary.GetProperty("moving").GetInt32(), summary.GetProperty("unowned").GetInt32()));
        Assert.Equal(Observed, summary.GetProperty("observedAt").GetDateTimeOffset());

        // Each request reads the replica's view afresh: once the move is done, the map says so.
        ownership.Observe(
            new ShardMap("replica-a", Observed.AddSeconds(2), ["replica-a", "replica-b"],
            [
                new ShardMapEntry(0, "replica-a", "replica-a", 12, null),
                new ShardMapEntry(1, "replica-b", "replica-b", 15, null),
                new ShardMapEntry(2, "replica-b", "replica-b", 16, null),
                new ShardMapEntry(3, "replica-b", "replica-b", 14, null),
            ]),
            ownership.Owned(0, 12, Observed.AddMinutes(-5)));
        using var after = await Json(a, "/shards");
        Assert.All(after.RootElement.GetProperty("shards").EnumerateArray(), e => Assert.Equal("Held", e.GetProperty("state").GetString()));
        Assert.Equal([0], after.RootElement.GetProperty("owned").EnumerateArray().Select(o => o.GetProperty("shard").GetInt32()));
    }

    [Fact]
    public async Task Hostile_identities_in_the_table_are_escaped_in_the_json_and_come_back_unchanged()
    {
        await using var cluster = await Cluster.StartAsync();
        var ownership = new FakeShardOwnership("replica-a", 2);
        await using var a = await cluster.ReplicaAsync("replica-a", healthChecks: false, services: s => s.AddSingleton<IShardOwnership>(ownership));
        ownership.Observe(new ShardMap("replica-a", Observed, [Hostile, "replica-a"], [new ShardMapEntry(0, Hostile, Hostile, 3, null), new ShardMapEntry(1, "replica-a", Quoted, 4, null)]));

        using var response = await a.Http.GetAsync("/shards");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("<", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", text, StringComparison.Ordinal);
        using var map = JsonDocument.Parse(text);
        Assert.Equal(Hostile, map.RootElement.GetProperty("members")[0].GetString());
        Assert.Equal(Hostile, map.RootElement.GetProperty("shards")[0].GetProperty("holder").GetString());
        Assert.Equal(Quoted, map.RootElement.GetProperty("shards")[1].GetProperty("holder").GetString());
        Assert.Equal("Moving", map.RootElement.GetProperty("shards")[1].GetProperty("state").GetString());
    }

    [Fact]
    public async Task Shards_are_open_like_status_and_a_policy_on_the_returned_builder_guards_both()
    {
        await using var cluster = await Cluster.StartAsync();
        var open = new FakeShardOwnership("replica-a", 4);
        var guarded = new FakeShardOwnership("replica-b", 4);
        await using var a = await cluster.ReplicaAsync("replica-a", healthChecks: false, services: s => s.AddSingleton<IShardOwnership>(open));
        await using var b = await cluster.ReplicaAsync("replica-b", healthChecks: false, services: s => s.AddSingleton<IShardOwnership>(guarded),
            conventions: c => c.RequireAuthorization(ReplicaServer.OperatorPolicy));

        using var anonymousOpen = await a.Http.GetAsync("/shards");
        Assert.Equal(HttpStatusCode.OK, anonymousOpen.StatusCode);
        foreach (var path in new[] { "/shards", "/status" })
        {
            using var anonymous = await Get(b, path, token: null);
            using var viewer = await Get(b, path, ReplicaServer.Token("bob", "viewer"));
            using var expired = await Get(b, path, ReplicaServer.Token("alice", "operator", expires: DateTime.UtcNow.AddMinutes(-10)));
            using var wrongAudience = await Get(b, path, ReplicaServer.Token("alice", "operator", audience: "someone-else"));
            using var operatorCall = await Get(b, path, ReplicaServer.Token("alice", "operator"));

            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, viewer.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, wrongAudience.StatusCode);
            Assert.Equal(HttpStatusCode.OK, operatorCall.StatusCode);
        }

        // Read-only: nothing else is served on the route.
        using var post = await a.Http.PostAsync("/shards", null);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }

    internal const string Hostile = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">";

    internal const string Quoted = "replica-\"b\" & 'c'\n<!--";

    /// <summary>Four shards over replica-a and replica-b: 0 held, 1 moving from a to b, 2 unowned (b to acquire), 3 held by b.</summary>
    internal static ShardMap MidMove() => new(
        "replica-a",
        Observed,
        ["replica-a", "replica-b"],
        [
            new ShardMapEntry(0, "replica-a", "replica-a", 12, null),
            new ShardMapEntry(1, "replica-b", "replica-a", 9, null),
            new ShardMapEntry(2, "replica-b", null, 7, Observed.AddSeconds(-3)),
            new ShardMapEntry(3, "replica-b", "replica-b", 14, null),
        ]);

    private static async Task<HttpResponseMessage> Get(ReplicaServer replica, string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = ReplicaServer.Bearer(token);
        }

        return await replica.Http.SendAsync(request);
    }

    private static async Task<JsonDocument> Json(ReplicaServer replica, string path)
    {
        using var response = await replica.Http.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }
}
