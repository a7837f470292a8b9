namespace RoostKeeper.Ha.AspNetCore.Sharding;

/// <summary>Where a shard stands in the table, derived from its holder and target (the <c>state</c> of a <see cref="ShardDocument"/>).</summary>
internal enum ShardState
{
    /// <summary>Held by the replica the leader assigned it to: its keys are worked on there.</summary>
    Held,

    /// <summary>Held by a replica other than its target (or with no target): that replica drains the shard's work and releases it.</summary>
    Moving,

    /// <summary>No replica holds it: none of its keys is worked on until its target acquires it.</summary>
    Unowned,
}
