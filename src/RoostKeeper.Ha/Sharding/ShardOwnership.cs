using k8s;
using k8s.Models;

namespace RoostKeeper.Ha.Sharding;

/// <summary>
/// <see cref="IShardOwnership"/> over the coordinator's snapshots: immutable arrays swapped with Volatile, so reads
/// are lock-free and never call the API server.
/// </summary>
internal sealed class ShardOwnership : IShardOwnership
{
    private readonly Func<string, int, int>? _partitioner;
    private OwnedShard?[] _byShard;
    private IReadOnlyList<OwnedShard> _owned = Array.Empty<OwnedShard>();
    private ShardMap _map;
    private string? _problem;

    public ShardOwnership(string identity, int shards, Func<string, int, int>? partitioner)
    {
        Identity = identity;
        ShardCount = shards;
        _partitioner = partitioner;
        _byShard = new OwnedShard?[shards];
        _map = new ShardMap(identity, null, [], []);
    }

    public string Identity { get; }

    public int ShardCount { get; }

    public IReadOnlyList<OwnedShard> OwnedShards => Volatile.Read(ref _owned);

    /// <summary>Why this replica runs no shard work now (a hostile table, a shard-count mismatch), or null.</summary>
    public string? Problem => Volatile.Read(ref _problem);

    public int ShardOf(string key) => ShardKeys.ShardOf(key, ShardCount, _partitioner);

    public bool Owns(string key) => Find(ShardOf(key)) is not null;

    public bool Owns(IKubernetesObject<V1ObjectMeta> obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var meta = obj.Metadata ?? throw new ArgumentException("The object has no metadata.", nameof(obj));
        return Owns(string.IsNullOrEmpty(meta.NamespaceProperty) ? meta.Name : $"{meta.NamespaceProperty}/{meta.Name}");
    }

    public OwnedShard? Find(int shard)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shard, ShardCount);
        return Volatile.Read(ref _byShard)[shard] is { Token.IsCancellationRequested: false } owned ? owned : null;
    }

    public ShardMap GetMap() => Volatile.Read(ref _map);

    internal void Publish(IEnumerable<OwnedShard> owned)
    {
        var byShard = new OwnedShard?[ShardCount];
        foreach (var shard in owned)
        {
            byShard[shard.Shard] = shard;
        }

        Volatile.Write(ref _byShard, byShard);
        Volatile.Write(ref _owned, Array.AsReadOnly(byShard.Where(s => s is not null).Select(s => s!).ToArray()));
    }

    internal void PublishMap(ShardMap map) => Volatile.Write(ref _map, map);

    internal void PublishProblem(string? problem) => Volatile.Write(ref _problem, problem);
}
