namespace RoostKeeper.Ha.Chaos.Fleet;

/// <summary>The election durations every replica of a run uses, ours and KubernetesClient's alike.</summary>
internal sealed record ElectionTimings(TimeSpan LeaseDuration, TimeSpan RenewDeadline, TimeSpan RetryPeriod, TimeSpan StopLeadingTimeout)
{
    /// <summary>
    /// Short timings for many runs: 5 s / 3 s / 0.75 s. The 2 s margin (LeaseDuration − RenewDeadline) is kept
    /// wide enough that a loaded 2-core machine's scheduling delays stay well inside it.
    /// </summary>
    public static ElectionTimings Short { get; } = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(750), TimeSpan.FromSeconds(2));

    /// <summary>The protocol's bound on the time to a leader once faults heal.</summary>
    public TimeSpan LeaderBound => LeaseDuration + RetryPeriod;

    /// <summary>The clock-rate difference (as a fraction) at which a slow leader and a fast follower can overlap: (LD − RD) / (LD + RD).</summary>
    public double TheoreticalRateBound => (LeaseDuration - RenewDeadline) / (LeaseDuration + RenewDeadline);

    public override string ToString() =>
        FormattableString.Invariant($"LeaseDuration {LeaseDuration.TotalSeconds:0.###} s, RenewDeadline {RenewDeadline.TotalSeconds:0.###} s, RetryPeriod {RetryPeriod.TotalSeconds:0.###} s, StopLeadingTimeout {StopLeadingTimeout.TotalSeconds:0.###} s");
}
