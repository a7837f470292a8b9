namespace RoostKeeper.Ha.Chaos.Fleet;

/// <summary>The election durations every replica uses, ours and KubernetesClient's alike (shared with the benchmarks).</summary>
internal sealed record ElectionTimings(TimeSpan LeaseDuration, TimeSpan RenewDeadline, TimeSpan RetryPeriod)
{
    /// <summary>client-go's and KubernetesClient's defaults, and ours: 15 s / 10 s / 2 s.</summary>
    public static ElectionTimings Default { get; } = new(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2));

    /// <summary>Scaled down 5x, for the benchmarks' clearly labelled fast-timing safety section only.</summary>
    public static ElectionTimings Fast { get; } = new(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(400));

    /// <summary>
    /// The chaos runner's timings: 5 s / 3 s / 0.75 s, work given 2 s to stop. The 2 s margin
    /// (LeaseDuration − RenewDeadline) keeps a loaded 2-core machine's scheduling delays well inside it.
    /// </summary>
    public static ElectionTimings Short { get; } = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(750)) { StopLeadingTimeout = TimeSpan.FromSeconds(2) };

    /// <summary>How long a leader waits for its work to stop before giving up on releasing (ours only); LeaderElectionOptions' default is 10 s.</summary>
    public TimeSpan StopLeadingTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The protocol's bound on the time to a leader once faults heal.</summary>
    public TimeSpan LeaderBound => LeaseDuration + RetryPeriod;

    /// <summary>The clock-rate difference (as a fraction) at which a slow leader and a fast follower can overlap: (LD − RD) / (LD + RD).</summary>
    public double TheoreticalRateBound => (LeaseDuration - RenewDeadline) / (LeaseDuration + RenewDeadline);

    public override string ToString() =>
        FormattableString.Invariant($"LeaseDuration {LeaseDuration.TotalSeconds:0.###} s / RenewDeadline {RenewDeadline.TotalSeconds:0.###} s / RetryPeriod {RetryPeriod.TotalSeconds:0.###} s / StopLeadingTimeout {StopLeadingTimeout.TotalSeconds:0.###} s");
}
