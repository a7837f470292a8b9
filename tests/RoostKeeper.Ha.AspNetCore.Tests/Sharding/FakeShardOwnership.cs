using k8s;
using k8s.Models;
using RoostKeeper.Ha.Sharding;

namespace RoostKeeper.Ha.AspNetCore.Tests.Sharding;

/// <summary>
/// An <see cref="IShardOwnership"/> whose map and owned shards a test sets, registered in DI in place of
/// AddShardedLeadership: the endpoints only read the interface, so they are tested against any map a replica can
/// observe (before the first read, mid-move, with identities someone hostile wrote to the table).
/// </summary>
internal sealed class FakeShardOwnership : IShardOwnership
{
    private ShardMap _map;
    private IReadOnlyList<OwnedShard> _owned = [];

    public FakeShardOwnership(string identity, int shardCount)
    {
        Identity = identity;
        ShardCount = shardCount;
        _map = new ShardMap(identity, null, [], []);
    }

    public string Identity { get; }

    public int ShardCount { get; }

    public IReadOnlyList<OwnedShard> OwnedShards => Volatile.Read(ref _owned);

    public string? Problem { get; set; }

    /// <summary>What the replica observes from now on.</summary>
    public void Observe(ShardMap map, params OwnedShard[] owned)
    {
        Volatile.Write(ref _map, map);
        Volatile.Write(ref _owned, owned);
    }

    public ShardMap GetMap() => Volatile.Read(ref _map);

    public int ShardOf(string key) => (int)((uint)key.Aggregate(17, (h, c) => (h * 31) + c) % (uint)ShardCount);

    public bool Owns(string key) => Find(ShardOf(key)) is not null;

    public bool Owns(IKubernetesObject<V1ObjectMeta> obj) => Owns(obj.Metadata.NamespaceProperty is { } ns ? $"{ns}/{obj.Metadata.Name}" : obj.Metadata.Name);

    public OwnedShard? Find(int shard) => OwnedShards.FirstOrDefault(o => o.Shard == shard);

    /// <summary>An owned shard as the core would hand it out.</summary>
    public OwnedShard Owned(int shard, long term, DateTimeOffset acquiredAt, CancellationToken token = default) =>
        new(shard, term, Identity, acquiredAt, Infrastructure.Cluster.Namespace, "roost-keeper-controller-shards", token);
}
