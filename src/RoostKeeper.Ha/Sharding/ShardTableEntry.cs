namespace RoostKeeper.Ha.Sharding;

/// <summary>One shard's record in the table: the replica the leader wants it on, the one holding it, and its term.</summary>
internal sealed record ShardTableEntry(string? Target, string? Holder, long Term)
{
    public static readonly ShardTableEntry Empty = new(null, null, 0);
}
