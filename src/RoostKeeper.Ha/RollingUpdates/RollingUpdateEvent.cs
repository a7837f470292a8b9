namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>One entry of an update's timeline.</summary>
/// <param name="At">When it happened (the manager's <see cref="TimeProvider"/>).</param>
/// <param name="Phase">The phase the update was in, or entered, at that moment.</param>
/// <param name="Message">What happened.</param>
public sealed record RollingUpdateEvent(DateTimeOffset At, RollingUpdatePhase Phase, string Message);
