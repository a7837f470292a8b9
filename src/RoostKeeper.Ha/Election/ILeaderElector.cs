using k8s.Models;

namespace RoostKeeper.Ha.Election;

/// <summary>
/// What the rest of the library may see of, and ask of, this replica's election: health checks and the
/// step-down policy read it and request hand-overs through it, as client-go hands its elector to the
/// HealthzAdaptor. The elector itself never calls health; <c>HaManager</c> composes the two.
/// </summary>
internal interface ILeaderElector
{
    /// <summary>This replica's identity, the holder name it writes to the Lease.</summary>
    string Identity { get; }

    /// <summary>Whether this replica leads now.</summary>
    bool IsLeader { get; }

    /// <summary>The current term while this replica leads, else null.</summary>
    Leadership? Leadership { get; }

    /// <summary>
    /// While this replica leads, when (<see cref="Time"/>'s timestamp) the term's last successful Lease write (its
    /// acquisition or a renewal) was sent; else null. Sharded leadership counts the leader's renewals as its liveness
    /// (the leader does not renew its membership Lease), with the same "sent" rule as the renew deadline.
    /// </summary>
    long? LastRenewalSentAt { get; }

    /// <summary>Another replica that holds the Lease and, by this replica's clock, has not expired; else null.</summary>
    string? CurrentLeader { get; }

    /// <summary>The API server's refusal of the Lease calls that retrying will not fix, while it lasts.</summary>
    LeaseRefusal? Refusal { get; }

    /// <summary>The Lease as last observed (null when it does not exist or was not read yet).</summary>
    V1Lease? ObservedLease { get; }

    /// <summary>The resolved settings the elector runs with.</summary>
    ElectionSettings Settings { get; }

    /// <summary>The clock the elector runs on (health judges the Lease with it too).</summary>
    TimeProvider Time { get; }

    /// <summary>Reads the Lease now, bounded by RenewDeadline; changes nothing in the election.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The Lease, or null when it does not exist.</returns>
    Task<V1Lease?> ReadForStatusAsync(CancellationToken cancellationToken);

    /// <summary>Asks the leader to hand over; completes when the term has ended (true: the hand-over or release was written).</summary>
    /// <param name="successor">The replica to lead next, or null for whoever is first.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>Whether this replica led and wrote the hand-over.</returns>
    Task<bool> RequestFailoverAsync(string? successor, CancellationToken cancellationToken);
}
