namespace RoostKeeper.Ha.AspNetCore.Sharding;

/// <summary>A shard this replica holds now and whose work may run here (from <c>IShardOwnership.OwnedShards</c>).</summary>
/// <param name="Shard">The shard.</param>
/// <param name="Term">The term it was acquired with (its fencing term).</param>
/// <param name="AcquiredAt">When this replica acquired it (its own clock).</param>
internal sealed record OwnedShardDocument(int Shard, long Term, DateTimeOffset AcquiredAt);
