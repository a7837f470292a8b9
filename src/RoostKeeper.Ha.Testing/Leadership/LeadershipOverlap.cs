namespace RoostKeeper.Ha.Testing;

/// <summary>Two replicas acting as leader at the same time: what the election must never allow.</summary>
/// <param name="First">The interval that started first.</param>
/// <param name="Second">The interval that started while <paramref name="First"/> was still running.</param>
/// <param name="Duration">How long both ran together (an open interval counts as running until the end of the timeline).</param>
public sealed record LeadershipOverlap(LeadershipInterval First, LeadershipInterval Second, TimeSpan Duration);
