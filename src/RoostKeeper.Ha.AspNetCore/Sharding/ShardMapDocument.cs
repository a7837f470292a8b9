using RoostKeeper.Ha.Sharding;

namespace RoostKeeper.Ha.AspNetCore.Sharding;

/// <summary>
/// The JSON of GET /shards: the shard table as this replica last observed it, and the shards it holds now. Every
/// replica answers with its own view (nothing is forwarded): <see cref="ObservedBy"/> and <see cref="ObservedAt"/> say
/// whose and how fresh.
/// </summary>
/// <param name="Identity">This replica (the holder name it writes to the table).</param>
/// <param name="ShardCount">The shard count this replica is configured with.</param>
/// <param name="ObservedBy">The replica whose view of the table this is.</param>
/// <param name="ObservedAt">When it last read or was told of the table; null before the first read (then <see cref="Shards"/> is empty).</param>
/// <param name="Members">The replicas the leader counts as live (the ones shards are spread over), in order.</param>
/// <param name="Owned">The shards this replica holds now and whose token is not cancelled, in shard order: where its
/// work runs. It can briefly differ from the entries naming this replica as holder (a shard is dropped here first when
/// its work must stop).</param>
/// <param name="Shards">One entry per shard of the table, in shard order.</param>
/// <param name="Problem">Why this replica runs no shard work now (a table it refuses to act on), or null.</param>
internal sealed record ShardMapDocument(
    string Identity,
    int ShardCount,
    string ObservedBy,
    DateTimeOffset? ObservedAt,
    IReadOnlyList<string> Members,
    IReadOnlyList<OwnedShardDocument> Owned,
    IReadOnlyList<ShardDocument> Shards,
    string? Problem)
{
    public static ShardMapDocument From(IShardOwnership ownership)
    {
        var map = ownership.GetMap();
        return new(
            ownership.Identity,
            ownership.ShardCount,
            map.ObservedBy,
            map.ObservedAt,
            [.. map.Members],
            // A shard whose token is cancelled is being given up: its work may no longer run (Owns says false).
            [.. ownership.OwnedShards.Where(o => !o.Token.IsCancellationRequested).Select(o => new OwnedShardDocument(o.Shard, o.Term, o.AcquiredAt))],
            [.. map.Shards.Select(ShardDocument.From)],
            ownership.Problem);
    }

    /// <summary>Whether the table has as many shards as this replica is configured with (an empty table, not read yet, counts as agreeing).</summary>
    public bool CountAgrees => Shards.Count == 0 || Shards.Count == ShardCount;
}
