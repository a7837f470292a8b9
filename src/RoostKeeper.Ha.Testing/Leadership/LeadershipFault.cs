namespace RoostKeeper.Ha.Testing;

/// <summary>A fault that was injected and then healed, kept on the timeline to measure the time to a leader after it.</summary>
/// <param name="Description">What the fault was, for reports (e.g. "partition leader replica-2 (blackhole) 3.2 s").</param>
/// <param name="InjectedAt">When it was injected, on the recorder's clock.</param>
/// <param name="HealedAt">When it healed (the last of its effects was removed), on the recorder's clock.</param>
public sealed record LeadershipFault(string Description, TimeSpan InjectedAt, TimeSpan HealedAt);
