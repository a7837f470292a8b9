using RoostKeeper.Ha.Sharding;

namespace RoostKeeper.Ha.AspNetCore.Sharding;

/// <summary>One shard of <see cref="ShardMapDocument"/>: its entry in the table as this replica last observed it.</summary>
/// <param name="Shard">The shard, from 0.</param>
/// <param name="Target">The replica the leader assigned it to; null when no replica is live.</param>
/// <param name="Holder">The replica that holds it (its work may run there); null while it moves.</param>
/// <param name="Term">The term of the current (or last) holder.</param>
/// <param name="UnownedSince">Since when (the observing replica's clock) it has had no holder; null while it has one.</param>
/// <param name="State">Held, Moving or Unowned (see <see cref="ShardState"/>).</param>
internal sealed record ShardDocument(int Shard, string? Target, string? Holder, long Term, DateTimeOffset? UnownedSince, ShardState State)
{
    public static ShardDocument From(ShardMapEntry entry) => new(entry.Shard, entry.Target, entry.Holder, entry.Term, entry.UnownedSince, StateOf(entry));

    // A holder is the truth about where work may run; the target is only the leader's advice of where it should.
    private static ShardState StateOf(ShardMapEntry entry) =>
        entry.Holder is null ? ShardState.Unowned
        : string.Equals(entry.Holder, entry.Target, StringComparison.Ordinal) ? ShardState.Held
        : ShardState.Moving;
}
