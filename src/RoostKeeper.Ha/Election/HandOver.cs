namespace RoostKeeper.Ha.Election;

/// <summary>One remembered hand-over: the replica that handed the Lease away, and when (its wall clock, whole seconds).</summary>
internal sealed record HandOver(string From, DateTimeOffset At);
