namespace RoostKeeper.Ha.AspNetCore.Sharding;

/// <summary>The <c>sharding</c> part of GET /status: the shard map in a few numbers (GET /shards has all of it).</summary>
/// <param name="ShardCount">The shard count this replica is configured with.</param>
/// <param name="OwnedShards">The shards this replica holds now, in shard order.</param>
/// <param name="MemberCount">How many replicas the leader counts as live.</param>
/// <param name="Held">Shards held by their target.</param>
/// <param name="Moving">Shards held by a replica other than their target (being released).</param>
/// <param name="Unowned">Shards no replica holds.</param>
/// <param name="ObservedAt">When this replica last read or was told of the table; null before the first read.</param>
internal sealed record ShardSummaryDocument(int ShardCount, IReadOnlyList<int> OwnedShards, int MemberCount, int Held, int Moving, int Unowned, DateTimeOffset? ObservedAt)
{
    public static ShardSummaryDocument From(ShardMapDocument map) => new(
        map.ShardCount,
        [.. map.Owned.Select(o => o.Shard)],
        map.Members.Count,
        map.Shards.Count(s => s.State == ShardState.Held),
        map.Shards.Count(s => s.State == ShardState.Moving),
        map.Shards.Count(s => s.State == ShardState.Unowned),
        map.ObservedAt);
}
