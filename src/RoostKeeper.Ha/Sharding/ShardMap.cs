namespace RoostKeeper.Ha.Sharding;

/// <summary>The shard table as one replica last observed it: the live members and, per shard, its target and holder.</summary>
public sealed class ShardMap
{
    /// <summary>Creates a map.</summary>
    /// <param name="observedBy">The replica whose view this is.</param>
    /// <param name="observedAt">When it last read or was told of the table (its clock).</param>
    /// <param name="members">The replicas the leader counts as live, in order.</param>
    /// <param name="shards">One entry per shard, in shard order.</param>
    public ShardMap(string observedBy, DateTimeOffset? observedAt, IReadOnlyList<string> members, IReadOnlyList<ShardMapEntry> shards)
    {
        ArgumentNullException.ThrowIfNull(observedBy);
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(shards);
        ObservedBy = observedBy;
        ObservedAt = observedAt;
        Members = members;
        Shards = shards;
    }

    /// <summary>The replica whose view this is.</summary>
    public string ObservedBy { get; }

    /// <summary>When that replica last read or was told of the table; null before the first read.</summary>
    public DateTimeOffset? ObservedAt { get; }

    /// <summary>The replicas the leader counts as live (the ones shards are spread over), in order.</summary>
    public IReadOnlyList<string> Members { get; }

    /// <summary>One entry per shard, in shard order.</summary>
    public IReadOnlyList<ShardMapEntry> Shards { get; }
}
