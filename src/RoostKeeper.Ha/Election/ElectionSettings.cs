namespace RoostKeeper.Ha.Election;

/// <summary>
/// Validated, resolved election settings (defaults filled in) that one elector runs with. <see cref="From"/>
/// is the one place options are mapped: a new option is added to <see cref="LeaderElectionOptions"/>, its validator
/// and here.
/// </summary>
internal sealed record ElectionSettings(
    string Identity,
    string LeaseNamespace,
    string LeaseName,
    TimeSpan LeaseDuration,
    TimeSpan RenewDeadline,
    TimeSpan RetryPeriod,
    bool ReleaseOnCancel,
    TimeSpan StopLeadingTimeout,
    TimeSpan? MaxClockSkew)
{
    public static ElectionSettings From(LeaderElectionOptions o) => new(
        o.Identity!, o.LeaseNamespace!, o.LeaseName!, o.LeaseDuration, o.RenewDeadline, o.RetryPeriod, o.ReleaseOnCancel, o.StopLeadingTimeout, o.MaxClockSkew);

    /// <summary>The duration written to the Lease, in whole seconds (rounded up, so never shorter than configured).</summary>
    public int LeaseDurationSeconds => (int)Math.Ceiling(LeaseDuration.TotalSeconds);

    /// <summary>
    /// The leaseDurationSeconds of a hand-over record: two RetryPeriods (whole seconds, at least 1, at most
    /// LeaseDurationSeconds). A live successor takes its term within one watch event; a successor that died
    /// after it was named leaves the Lease free for everyone after this grace instead of a whole LeaseDuration.
    /// </summary>
    public int HandOverGraceSeconds => Math.Clamp((int)Math.Ceiling((RetryPeriod * 2).TotalSeconds), 1, LeaseDurationSeconds);
}
