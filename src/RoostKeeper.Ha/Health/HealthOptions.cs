namespace RoostKeeper.Ha.Health;

/// <summary>Settings of the <see cref="HealthManager"/> and of the periodic health checks.</summary>
public sealed class HealthOptions
{
    /// <summary>The configuration section the options bind from: <c>RoostHa:Health</c>.</summary>
    public const string SectionName = "RoostHa:Health";

    /// <summary>The namespace the built-in checks read when a check names none.</summary>
    /// <value>Default: with <c>AddRoostHa</c>, the Lease's namespace (the pod's namespace); else the pod's namespace (service-account file or POD_NAMESPACE).</value>
    public string? Namespace { get; set; }

    /// <summary>This replica's pod, for checks asked to require it ready (see <c>AddReadyPods</c>).</summary>
    /// <value>Default: the POD_NAME variable (set it from the downward API); null when unset.</value>
    public string? PodName { get; set; }

    /// <summary>How often the periodic checks run when the manager is hosted.</summary>
    /// <value>Default 30 s. Must be greater than zero.</value>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a check may run when its registration sets no timeout; then it is reported as timed out with its failure status.</summary>
    /// <value>Default 10 s. Must be greater than zero.</value>
    public TimeSpan CheckTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// When set, a leader whose health stays Unhealthy this long hands leadership to a replica that reports
    /// itself healthy, and every replica publishes its health for the others to see. Set by
    /// <c>StepDownWhenUnhealthy(after)</c>.
    /// </summary>
    /// <remarks>
    /// It may be shorter than the election's LeaseDuration + RetryPeriod (the hold-off of a replica that handed
    /// over): a replica named successor takes its term at once, hold-off or not, and the policy never names a
    /// replica that handed over within <see cref="HandOverWindow"/>.
    /// </remarks>
    /// <value>Default null (off). When set, must be at least <see cref="Interval"/> and less than <see cref="HandOverWindow"/>.</value>
    public TimeSpan? StepDownAfter { get; set; }

    /// <summary>
    /// The step-down budget: at most this many health-driven hand-overs of the Lease within
    /// <see cref="HandOverWindow"/>, counted over the whole fleet (the Lease remembers them). Each hand-over
    /// already in the window doubles how long the leader must be Unhealthy before the next one (the back-off);
    /// with the budget spent, the leader keeps leading until the oldest hand-over leaves the window.
    /// </summary>
    /// <value>Default 3. From 1 to 10.</value>
    public int MaxHandOvers { get; set; } = 3;

    /// <summary>
    /// How long the fleet remembers a hand-over: a replica that handed over within this window is not chosen
    /// as successor again, and the hand-overs within it count against <see cref="MaxHandOvers"/>. After every
    /// replica has handed over in turn, leadership stays where it is until the window passes.
    /// </summary>
    /// <value>Default 10 minutes. Must be greater than <see cref="StepDownAfter"/>, at most 24 hours.</value>
    public TimeSpan HandOverWindow { get; set; } = TimeSpan.FromMinutes(10);
}
