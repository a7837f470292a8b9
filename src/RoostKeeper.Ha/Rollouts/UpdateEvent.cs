namespace RoostKeeper.Ha.Rollouts;

/// <summary>One entry of an update's timeline.</summary>
/// <param name="At">When it happened (the manager's <see cref="TimeProvider"/>).</param>
/// <param name="Phase">The phase the update was in, or entered, at that moment.</param>
/// <param name="Message">What happened.</param>
public sealed record UpdateEvent(DateTimeOffset At, UpdatePhase Phase, string Message);
