namespace RoostKeeper.Ha.Testing;

/// <summary>How soon some replica acted as leader after a fault healed.</summary>
/// <param name="Fault">The healed fault.</param>
/// <param name="TimeToLeader">
/// Zero when a replica was leading at the instant the fault healed; otherwise the time from the heal to the
/// next start of a leadership interval; null when no replica led again before the end of the timeline.
/// </param>
public sealed record LeaderRecovery(LeadershipFault Fault, TimeSpan? TimeToLeader)
{
    /// <summary>Whether a leader acted within <paramref name="bound"/> of the heal (for RoostKeeper.Ha: LeaseDuration + RetryPeriod).</summary>
    /// <param name="bound">The longest acceptable time to a leader.</param>
    /// <returns>True when a leader acted in time.</returns>
    public bool Within(TimeSpan bound) => TimeToLeader is { } time && time <= bound;
}
