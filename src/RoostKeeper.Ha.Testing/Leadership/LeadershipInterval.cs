namespace RoostKeeper.Ha.Testing;

/// <summary>
/// One stretch during which a replica acted as leader: from the moment its leader work started (for
/// RoostKeeper.Ha, <c>OnStartedLeading</c>) to the moment its leader token was cancelled.
/// </summary>
/// <param name="Replica">The replica's name; intervals of one replica never count as overlapping each other.</param>
/// <param name="Term">The term it led (<c>Leadership.Term</c>), or 0 when the elector does not number terms.</param>
/// <param name="Start">When it started acting, on the recorder's clock.</param>
/// <param name="End">When it stopped acting, on the recorder's clock; null while it still acts.</param>
public sealed record LeadershipInterval(string Replica, long Term, TimeSpan Start, TimeSpan? End)
{
    /// <summary>Whether the interval covers <paramref name="instant"/>: started at or before it and not ended by then.</summary>
    /// <param name="instant">An instant on the recorder's clock.</param>
    /// <returns>True when the replica was acting as leader at that instant.</returns>
    public bool Covers(TimeSpan instant) => Start <= instant && (End is not { } end || end > instant);

    /// <summary>The end, or <paramref name="openUntil"/> for an interval that has not ended.</summary>
    /// <param name="openUntil">What an open interval's end is taken to be (the end of the timeline).</param>
    /// <returns>The end of the interval.</returns>
    public TimeSpan EndOr(TimeSpan openUntil) => End ?? openUntil;
}
