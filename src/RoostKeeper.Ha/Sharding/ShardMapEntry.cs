namespace RoostKeeper.Ha.Sharding;

/// <summary>One shard of a <see cref="ShardMap"/>.</summary>
/// <param name="Shard">The shard.</param>
/// <param name="Target">The replica the leader assigned it to; null when no replica is live.</param>
/// <param name="Holder">The replica that holds it (its work may run there); null while it moves.</param>
/// <param name="Term">The term of the current (or last) holder.</param>
/// <param name="UnownedSince">Since when (the observer's clock) the shard has had no holder; null while it has one.</param>
public sealed record ShardMapEntry(int Shard, string? Target, string? Holder, long Term, DateTimeOffset? UnownedSince);
