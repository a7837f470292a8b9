using Microsoft.Extensions.Logging;

namespace RoostKeeper.Ha.Testing;

/// <summary>Settings of a <see cref="SimulatedCluster"/>.</summary>
public sealed class SimulatedClusterOptions
{
    /// <summary>The clock for timestamps and the simulated controllers' timing.</summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// How many changes the server keeps for watches that resume from a resourceVersion; a watch from an
    /// older one gets 410 Gone and must re-list, as after etcd compaction.
    /// </summary>
    /// <value>Default 10 000. Must be at least 1.</value>
    public int WatchHistoryLimit { get; set; } = 10_000;

    /// <summary>Whether the Deployment, ReplicaSet, pod-lifecycle, EndpointSlice, StatefulSet, Job and CronJob controllers run.</summary>
    /// <value>Default true.</value>
    public bool RunControllers { get; set; } = true;

    /// <summary>How long a new pod takes from creation to running (and, for a healthy image, ready).</summary>
    /// <value>Default 200 ms. Must not be negative.</value>
    public TimeSpan PodStartupDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Whether requests are authorized by RBAC, as on a real cluster: the Roles, ClusterRoles (aggregated ones
    /// included), RoleBindings and ClusterRoleBindings stored in the cluster decide what a client created with a
    /// <see cref="ClusterIdentity"/> (<see cref="SimulatedCluster.CreateClient(string, ClusterIdentity?)"/>,
    /// <see cref="SimulatedCluster.CreateToken"/>) may do, a refusal is 403 with the real message, and
    /// SelfSubjectAccessReview and SubjectAccessReview (<c>kubectl auth can-i</c>) answer from them. The bootstrap
    /// roles cluster-admin, system:basic-user, system:discovery and system:public-info-viewer are created. Clients
    /// without credentials stay <see cref="ClusterIdentity.Admin"/>, which may do anything.
    /// </summary>
    /// <value>Default false: every request is allowed (the AlwaysAllow authorizer).</value>
    public bool EnableRbac { get; set; }

    /// <summary>
    /// Where the simulator logs: start and stop, failed requests (Debug), controller retries (Debug) and
    /// unexpected errors (Error, also kept in <see cref="SimulatedCluster.Errors"/>). In a test, pass one
    /// that writes to the test's output to see why a simulated controller did not converge.
    /// </summary>
    /// <value>Default null: nothing is logged.</value>
    public ILoggerFactory? LoggerFactory { get; set; }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        if (WatchHistoryLimit < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(WatchHistoryLimit), WatchHistoryLimit, "WatchHistoryLimit must be at least 1.");
        }

        if (PodStartupDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(PodStartupDelay), PodStartupDelay, "PodStartupDelay must not be negative.");
        }
    }
}
