namespace RoostKeeper.Ha.Sharding;

/// <summary>The shard a scope belongs to (set when the scope is created for a sharded hosted service).</summary>
internal sealed class ShardScope
{
    public OwnedShard? Shard { get; set; }
}
