namespace RoostKeeper.Ha.Sharding;

/// <summary>
/// Settings of sharded leadership (<c>AddShardedLeadership</c>): the work keys are split into <see cref="Shards"/>
/// shards and every live replica owns ⌊N/R⌋ or ⌈N/R⌉ of them. The timings are the election's
/// (<c>LeaderElectionOptions</c>): a replica's membership Lease is renewed every RetryPeriod and judged expired after
/// LeaseDuration, and a replica stops the work of its shards when it has not renewed for RenewDeadline.
/// </summary>
public sealed class ShardingOptions
{
    /// <summary>The configuration section the options bind from: <c>RoostHa:Sharding</c>.</summary>
    public const string SectionName = "RoostHa:Sharding";

    /// <summary>How many shards the keys are split into. Every replica must run with the same count.</summary>
    /// <value>Default 16. From 1 to 1024.</value>
    public int Shards { get; set; } = 16;

    /// <summary>
    /// The name of the Lease that holds the shard table (each shard's target replica, holder and term), in the election
    /// Lease's namespace. Each replica's membership Lease is named <c>{TableName}-{identity}</c> (shortened with a
    /// hash when longer than 63 characters).
    /// </summary>
    /// <value>Default: the election Lease's name followed by <c>-shards</c>. A valid Lease name.</value>
    public string? TableName { get; set; }

    /// <summary>
    /// How long the work of a shard that moves may take to finish after its token is cancelled before the shard is
    /// released anyway (the replica then stops claiming it; work still running is the application's to bound).
    /// </summary>
    /// <value>Default 10 s. Greater than zero, at most 5 minutes.</value>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Maps a work key to a shard from 0 to the shard count minus one. Every replica must use the same function, and it
    /// must not change between versions that run side by side (a rolling update).
    /// </summary>
    /// <value>Default null: FNV-1a (32-bit) of the key's UTF-8 bytes, modulo the shard count (see <see cref="IShardOwnership.ShardOf"/>).</value>
    public Func<string, int, int>? Partitioner { get; set; }

    /// <summary>The election Lease's name, filled in at start-up (the table's default name and a validation rule need it).</summary>
    internal string? ElectionLeaseName { get; set; }
}
