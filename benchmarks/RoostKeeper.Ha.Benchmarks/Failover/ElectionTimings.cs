namespace RoostKeeper.Ha.Benchmarks.Failover;

/// <summary>The three election durations, given to both electors alike.</summary>
internal sealed record ElectionTimings(TimeSpan LeaseDuration, TimeSpan RenewDeadline, TimeSpan RetryPeriod)
{
    /// <summary>client-go's and KubernetesClient's defaults, and ours: 15 s / 10 s / 2 s.</summary>
    public static ElectionTimings Default { get; } = new(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2));

    /// <summary>Scaled down 5x, for the clearly labelled fast-timing safety section only.</summary>
    public static ElectionTimings Fast { get; } = new(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(400));

    public override string ToString() =>
        $"LeaseDuration {LeaseDuration.TotalSeconds:0.###} s / RenewDeadline {RenewDeadline.TotalSeconds:0.###} s / RetryPeriod {RetryPeriod.TotalSeconds:0.###} s";
}
