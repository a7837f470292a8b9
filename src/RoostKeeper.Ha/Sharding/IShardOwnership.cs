using k8s;
using k8s.Models;

namespace RoostKeeper.Ha.Sharding;

/// <summary>
/// Which shards this replica owns now: what a controller asks in its informer or work queue before it reconciles a
/// key. Registered by <c>AddShardedLeadership</c>; thread-safe, reads never call the API server.
/// </summary>
public interface IShardOwnership
{
    /// <summary>This replica's identity, the holder name it writes to the shard table.</summary>
    string Identity { get; }

    /// <summary>The number of shards.</summary>
    int ShardCount { get; }

    /// <summary>The shard a key belongs to, from 0 to <see cref="ShardCount"/> minus one.</summary>
    /// <param name="key">The work key, by convention <c>"{namespace}/{name}"</c> (or <c>"{name}"</c> for a cluster-scoped object).</param>
    /// <returns>The shard.</returns>
    int ShardOf(string key);

    /// <summary>Whether this replica owns the shard of <paramref name="key"/> now (its work may run).</summary>
    /// <param name="key">The work key.</param>
    /// <returns>True while this replica holds that shard and its membership is renewed.</returns>
    bool Owns(string key);

    /// <summary>Whether this replica owns the shard of the object (key <c>"{namespace}/{name}"</c>).</summary>
    /// <param name="obj">The object.</param>
    /// <returns>True while this replica holds that shard and its membership is renewed.</returns>
    bool Owns(IKubernetesObject<V1ObjectMeta> obj);

    /// <summary>The shard this replica holds, with its term and token, or null when it does not hold it.</summary>
    /// <param name="shard">The shard, from 0 to <see cref="ShardCount"/> minus one.</param>
    /// <returns>The owned shard, or null.</returns>
    OwnedShard? Find(int shard);

    /// <summary>The shards this replica holds now, in shard order.</summary>
    IReadOnlyList<OwnedShard> OwnedShards { get; }

    /// <summary>
    /// Why this replica runs no shard work now, or null: a shard table it refuses to act on (garbled, hostile, or of
    /// another shard count than this replica's), named with the reason and what to do.
    /// </summary>
    string? Problem { get; }

    /// <summary>The whole shard table as this replica last observed it (for status pages and diagnostics).</summary>
    /// <returns>A snapshot; never null (before the table was first read it has no entries).</returns>
    ShardMap GetMap();
}
