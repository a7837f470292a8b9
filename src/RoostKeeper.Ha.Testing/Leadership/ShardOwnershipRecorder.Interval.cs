namespace RoostKeeper.Ha.Testing;

public sealed partial class ShardOwnershipRecorder
{
    /// <summary>One replica's work on one shard, on the recorder's clock.</summary>
    /// <param name="Replica">The replica.</param>
    /// <param name="Shard">The shard.</param>
    /// <param name="Term">The shard's term.</param>
    /// <param name="Start">When the work started.</param>
    /// <param name="End">When it ended; null while it runs.</param>
    public sealed record Interval(string Replica, int Shard, long Term, TimeSpan Start, TimeSpan? End);

    /// <summary>Two replicas working on the same shard at once: what sharded leadership must never allow.</summary>
    /// <param name="Shard">The shard.</param>
    /// <param name="First">The interval that started first.</param>
    /// <param name="Second">The interval that started before the first ended.</param>
    public sealed record Overlap(int Shard, Interval First, Interval Second)
    {
        /// <inheritdoc/>
        public override string ToString() =>
            $"shard {Shard}: {First.Replica} (term {First.Term}, {First.Start}..{First.End?.ToString() ?? "open"}) and {Second.Replica} (term {Second.Term}, {Second.Start}..{Second.End?.ToString() ?? "open"})";
    }
}
