using RoostKeeper.Ha.Fencing;

namespace RoostKeeper.Ha.Sharding;

/// <summary>
/// One shard held by this replica for one term: passed to <c>OnShardAcquired</c> and to the instance
/// <c>AddShardedHostedService</c> starts for it. <see cref="Token"/> is cancelled the moment the shard is to be
/// given up (moved, lost, or the replica stops), before any other replica can hold it.
/// </summary>
public sealed class OwnedShard
{
    /// <summary>
    /// Creates an owned shard. The library creates them as it acquires shards; the constructor is public so a test
    /// double of <see cref="IShardOwnership"/> can hand them out.
    /// </summary>
    /// <param name="shard">The shard, 0 or more.</param>
    /// <param name="term">The term, 0 or more.</param>
    /// <param name="identity">The holder's identity; not empty.</param>
    /// <param name="acquiredAt">When it was acquired.</param>
    /// <param name="tableNamespace">The namespace of the shard table's Lease; not empty.</param>
    /// <param name="tableName">The name of the shard table's Lease; not empty.</param>
    /// <param name="token">Cancelled when the shard's work is to stop.</param>
    public OwnedShard(int shard, long term, string identity, DateTimeOffset acquiredAt, string tableNamespace, string tableName, CancellationToken token)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfNegative(term);
        ArgumentException.ThrowIfNullOrEmpty(identity);
        ArgumentException.ThrowIfNullOrEmpty(tableNamespace);
        ArgumentException.ThrowIfNullOrEmpty(tableName);
        Shard = shard;
        Term = term;
        Identity = identity;
        AcquiredAt = acquiredAt;
        TableNamespace = tableNamespace;
        TableName = tableName;
        Token = token;
    }

    /// <summary>The shard, from 0 to the shard count minus one.</summary>
    public int Shard { get; }

    /// <summary>
    /// The term: every acquisition of any shard of the table takes a higher one, so writes of the shard's objects can
    /// be fenced with it (<see cref="Stamp"/>).
    /// </summary>
    public long Term { get; }

    /// <summary>This replica's identity.</summary>
    public string Identity { get; }

    /// <summary>When this replica acquired the shard (its own clock).</summary>
    public DateTimeOffset AcquiredAt { get; }

    /// <summary>The namespace of the shard table's Lease.</summary>
    public string TableNamespace { get; }

    /// <summary>The name of the shard table's Lease.</summary>
    public string TableName { get; }

    /// <summary>Cancelled when this replica is to stop the shard's work.</summary>
    public CancellationToken Token { get; }

    /// <summary>The term as a fencing stamp (Lease: the shard table), for a <see cref="TermFence"/> over the shard's objects.</summary>
    public TermStamp Stamp => new(Term, TableNamespace, TableName, Identity);

    /// <inheritdoc/>
    public override string ToString() => $"shard {Shard} (term {Term} of {TableNamespace}/{TableName}, {Identity})";
}
