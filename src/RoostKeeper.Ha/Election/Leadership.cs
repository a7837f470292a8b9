namespace RoostKeeper.Ha.Election;

/// <summary>
/// One term of leadership held by this replica: passed to <c>OnStartedLeading</c> together with a token
/// that is cancelled the moment the term ends.
/// </summary>
public sealed class Leadership
{
    internal Leadership(string identity, long term, DateTimeOffset acquiredAt, string leaseNamespace, string leaseName)
    {
        Identity = identity;
        Term = term;
        AcquiredAt = acquiredAt;
        LeaseNamespace = leaseNamespace;
        LeaseName = leaseName;
    }

    /// <summary>This replica's identity, the Lease's holder during the term.</summary>
    public string Identity { get; }

    /// <summary>
    /// The term: the Lease's <c>leaseTransitions</c> when it was acquired. It grows with each acquisition,
    /// so writes can be fenced with it (store it next to what the leader writes; refuse older terms).
    /// </summary>
    public long Term { get; }

    /// <summary>When this replica acquired the Lease (its own clock).</summary>
    public DateTimeOffset AcquiredAt { get; }

    /// <summary>The namespace of the Lease.</summary>
    public string LeaseNamespace { get; }

    /// <summary>The name of the Lease.</summary>
    public string LeaseName { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Identity} (term {Term} of {LeaseNamespace}/{LeaseName})";
}
