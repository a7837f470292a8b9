using RoostKeeper.Ha.Sharding;

namespace RoostKeeper.Ha.Chaos.Fleet;

/// <summary>How a <see cref="ShardedReplica"/> runs: sharded leadership (or only the election) and the work it does.</summary>
/// <param name="Sharded">True: <c>AddShardedLeadership</c>; false: the single leader only, as before sharding.</param>
/// <param name="Shards">The shard count (<see cref="ShardingOptions.Shards"/>).</param>
/// <param name="DrainTimeout">How long a shard's work may take to stop (<see cref="ShardingOptions.DrainTimeout"/>).</param>
internal sealed record ShardedSetup(bool Sharded, int Shards, TimeSpan DrainTimeout)
{
    /// <summary>
    /// The work of one shard, run from <c>OnShardAcquired</c> until its token is cancelled; the shard is released
    /// when it returns. Null: wait for the token.
    /// </summary>
    public Func<ShardedReplica, OwnedShard, CancellationToken, Task>? ShardWork { get; init; }

    /// <summary>The leader's work (single-leader mode), run from <c>OnStartedLeading</c>. Null: wait for the token.</summary>
    public Func<ShardedReplica, CancellationToken, Task>? LeaderWork { get; init; }
}
