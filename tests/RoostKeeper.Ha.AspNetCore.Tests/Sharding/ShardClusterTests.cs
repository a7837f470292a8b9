using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RoostKeeper.Ha.AspNetCore.Tests.Infrastructure;

namespace RoostKeeper.Ha.AspNetCore.Tests.Sharding;

/// <summary>
/// GET /shards, GET /status and the page over the real sharded leadership (AddShardedLeadership on SimulatedCluster):
/// each replica serves its own view of the table, and the views follow the shards when a replica leaves.
/// </summary>
public sealed class ShardClusterTests
{
    private const int Shards = 4;

    [Fact]
    public async Task Two_replicas_show_the_shards_they_share_and_the_survivor_shows_all_after_the_other_leaves()
    {
        await using var cluster = await Cluster.StartAsync();
        await using var a = await cluster.ReplicaAsync("replica-a", healthChecks: false, ha: h => h.AddShardedLeadership(o => o.Shards = Shards));
        await Cluster.Until(() => a.Manager.IsLeader, "replica-a to lead");
        await using var b = await cluster.ReplicaAsync("replica-b", healthChecks: false, ha: h => h.AddShardedLeadership(o => o.Shards = Shards));

        await Cluster.Until(
            async () => await Owned(a) is { Count: 2 } ownedByA && await Owned(b) is { Count: 2 } ownedByB && ownedByA.Intersect(ownedByB).Count() == 0
                && await Json(a, "/shards") is var map && map.GetProperty("shards").EnumerateArray().All(s => s.GetProperty("state").GetString() == "Held"),
            "replica-a and replica-b to hold two shards each, as replica-a's map says");

        var view = await Json(a, "/shards");
        Assert.Equal("replica-a", view.GetProperty("observedBy").GetString());
        Assert.Equal(JsonValueKind.String, view.GetProperty("observedAt").ValueKind);
        Assert.Equal<string?>(["replica-a", "replica-b"], view.GetProperty("members").EnumerateArray().Select(m => m.GetString()));
        var ownedByA = await Owned(a);
        foreach (var entry in view.GetProperty("shards").EnumerateArray())
        {
            var holder = entry.GetProperty("holder").GetString();
            Assert.Equal(ownedByA.Contains(entry.GetProperty("shard").GetInt32()) ? "replica-a" : "replica-b", holder);
            Assert.Equal(holder, entry.GetProperty("target").GetString());
            Assert.True(entry.GetProperty("term").GetInt64() > 0, entry.ToString());
            Assert.Equal(JsonValueKind.Null, entry.GetProperty("unownedSince").ValueKind);
        }

        var summary = (await Json(b, "/status")).GetProperty("sharding");
        Assert.Equal(Shards, summary.GetProperty("shardCount").GetInt32());
        Assert.Equal(2, summary.GetProperty("ownedShards").GetArrayLength());
        Assert.Equal(2, summary.GetProperty("memberCount").GetInt32());
        var page = await b.Http.GetStringAsync("/");
        Assert.Contains("4 shards over 2 members (replica-a, replica-b); this replica owns 2: ", page, StringComparison.Ordinal);

        // replica-b leaves gracefully: it hands its shards over, and replica-a's view shows them all its own.
        await b.StopAsync();
        await Cluster.Until(async () => (await Owned(a)).Count == Shards, "replica-a to hold every shard after replica-b left");
        view = await Json(a, "/shards");
        Assert.All(view.GetProperty("shards").EnumerateArray(), e => Assert.Equal("replica-a", e.GetProperty("holder").GetString()));
    }

    private static async Task<List<int>> Owned(ReplicaServer replica) =>
        [.. (await Json(replica, "/shards")).GetProperty("owned").EnumerateArray().Select(o => o.GetProperty("shard").GetInt32())];

    private static async Task<JsonElement> Json(ReplicaServer replica, string path)
    {
        using var response = await replica.Http.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }
}
