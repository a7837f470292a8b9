using System.ComponentModel.DataAnnotations;

namespace RoostKeeper.Ha.Election;

/// <summary>
/// Settings of RoostKeeper.Ha's leader election, bound from the <c>RoostHa</c> configuration section and
/// validated at start-up with client-go's rules. Durations follow client-go's flags
/// (<c>--leader-election-lease-duration</c>, <c>-renew-deadline</c>, <c>-retry-period</c>), and so does their
/// syntax in configuration: <c>15s</c>, <c>500ms</c>, <c>2m</c>, <c>1h30m</c>, or <c>hh:mm:ss</c>; a number
/// without a unit is refused, since .NET would read <c>15</c> as fifteen days.
/// </summary>
public sealed class LeaderElectionOptions
{
    /// <summary>The configuration section the options bind from.</summary>
    public const string SectionName = "RoostHa";

    /// <summary>The name of the Lease the replicas compete for (controller-runtime's <c>--leader-election-id</c>).</summary>
    /// <value>Required. A valid Kubernetes object name (lowercase RFC 1123 subdomain).</value>
    [Required(ErrorMessage = "RoostHa:LeaseName is required: the name of the Lease the replicas compete for (e.g. \"my-controller\").")]
    public string? LeaseName { get; set; }

    /// <summary>The namespace of the Lease.</summary>
    /// <value>
    /// Default: the pod's namespace, read from the service-account namespace file or the
    /// <c>POD_NAMESPACE</c> environment variable. Required when neither is available.
    /// </value>
    [Required(ErrorMessage = "RoostHa:LeaseNamespace is required outside a pod: set it, or POD_NAMESPACE, or a namespace on the kubeconfig context in use (kubectl config set-context --current --namespace=NAME).")]
    public string? LeaseNamespace { get; set; }

    /// <summary>This replica's identity, written to the Lease as its holder.</summary>
    /// <value>
    /// Default: <c>POD_NAME</c> (or the host name) plus a random suffix, so that a restarted process never
    /// inherits a term it did not start. When set explicitly it must be unique among the replicas.
    /// </value>
    [Required(ErrorMessage = "RoostHa:Identity must not be empty.")]
    public string? Identity { get; set; }

    /// <summary>How long followers wait, from the last change of the Lease they observed, before taking it.</summary>
    /// <value>Default 15 s. From 1 s to 10 min, and greater than <see cref="RenewDeadline"/>. In configuration: <c>15s</c>, <c>1m</c> or <c>00:00:15</c> (a bare number is refused).</value>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the leader keeps trying to renew before it steps down.</summary>
    /// <value>Default 10 s. Greater than 1.2 × <see cref="RetryPeriod"/> and less than <see cref="LeaseDuration"/>.</value>
    public TimeSpan RenewDeadline { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the leader renews, and how often a follower polls while its watch is down.</summary>
    /// <value>Default 2 s. From 100 ms to 1 min.</value>
    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Whether a leader that is stopped gracefully releases the Lease so a follower takes over at once.</summary>
    /// <value>Default true. The Lease is released only after the leader's work has stopped.</value>
    public bool ReleaseOnCancel { get; set; } = true;

    /// <summary>How long a leader that steps down waits for its leader work to stop before it releases the Lease.</summary>
    /// <value>
    /// Default 10 s. Greater than zero, at most 10 min. Leader work still running after it keeps the Lease
    /// unreleased (followers then take over when it expires), since releasing would let two leaders act.
    /// </value>
    public TimeSpan StopLeadingTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Opt-in cold-start fast path: when set, a replica that has just started treats a Lease whose
    /// <c>renewTime</c> is older than its duration plus this skew as expired, instead of waiting a full
    /// <see cref="LeaseDuration"/> from its first observation. Trusts the clocks to agree within this bound.
    /// </summary>
    /// <value>Default null (off): expiry is judged only on the local monotonic clock. From 0 to 5 min.</value>
    public TimeSpan? MaxClockSkew { get; set; }

    /// <summary>A copy to resolve defaults on without touching the caller's instance (every property, by construction).</summary>
    internal LeaderElectionOptions Clone() => (LeaderElectionOptions)MemberwiseClone();
}
