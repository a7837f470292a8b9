namespace RoostKeeper.Ha.Testing;

/// <summary>
/// Who a <see cref="SimulatedCluster"/> client is, as the API server's authenticators report it: a user name and
/// groups. With <see cref="SimulatedClusterOptions.EnableRbac"/> the cluster's RBAC authorizer decides what the
/// identity may do from the Roles, ClusterRoles and bindings stored in the cluster.
/// </summary>
/// <example>
/// <code>
/// var replica = cluster.CreateClient("replica-a", ClusterIdentity.ServiceAccount("roost-system", "roost-keeper"));
/// var alice = cluster.CreateClient("alice", ClusterIdentity.User("alice", "developers"));
/// </code>
/// </example>
public sealed class ClusterIdentity
{
    /// <summary>The group every authenticated identity is in.</summary>
    public const string AuthenticatedGroup = "system:authenticated";

    /// <summary>The group every service account is in.</summary>
    public const string ServiceAccountsGroup = "system:serviceaccounts";

    /// <summary>The group that bypasses authorization, as on a real API server.</summary>
    public const string MastersGroup = "system:masters";

    private const string ServiceAccountPrefix = "system:serviceaccount:";

    private ClusterIdentity(string userName, IReadOnlyList<string> groups)
    {
        UserName = userName;
        Groups = groups;
    }

    /// <summary>
    /// The identity of a client created without one (<see cref="SimulatedCluster.CreateClient(string)"/>) and of
    /// a kubeconfig without credentials: <c>kubernetes-admin</c> in <c>system:masters</c>, so it may do
    /// anything even with RBAC on, as the admin kubeconfig of a kind or kubeadm cluster may.
    /// </summary>
    public static ClusterIdentity Admin { get; } = new("kubernetes-admin", [MastersGroup, AuthenticatedGroup]);

    /// <summary>The user name, e.g. <c>alice</c> or <c>system:serviceaccount:roost-system:roost-keeper</c>.</summary>
    public string UserName { get; }

    /// <summary>The groups, <c>system:authenticated</c> included.</summary>
    public IReadOnlyList<string> Groups { get; }

    /// <summary>A user with the given groups; <c>system:authenticated</c> is added as the API server adds it.</summary>
    /// <param name="name">The user name.</param>
    /// <param name="groups">The user's groups.</param>
    /// <returns>The identity.</returns>
    public static ClusterIdentity User(string name, params string[] groups)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(groups);
        return new ClusterIdentity(name, WithAuthenticated(groups));
    }

    /// <summary>
    /// A service account, as its token authenticates: user <c>system:serviceaccount:NAMESPACE:NAME</c> in the groups
    /// <c>system:serviceaccounts</c>, <c>system:serviceaccounts:NAMESPACE</c> and <c>system:authenticated</c>.
    /// The service account object need not exist.
    /// </summary>
    /// <param name="namespace">The service account's namespace.</param>
    /// <param name="name">The service account's name.</param>
    /// <returns>The identity.</returns>
    public static ClusterIdentity ServiceAccount(string @namespace, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new ClusterIdentity(ServiceAccountPrefix + @namespace + ":" + name, ServiceAccountGroups(@namespace));
    }

    /// <summary>The namespace and name of a service account user name, or null for any other user.</summary>
    internal static (string Namespace, string Name)? ParseServiceAccount(string userName)
    {
        if (!userName.StartsWith(ServiceAccountPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var parts = userName[ServiceAccountPrefix.Length..].Split(':');
        return parts is [{ Length: > 0 } ns, { Length: > 0 } name] ? (ns, name) : null;
    }

    /// <summary>An identity as an impersonation or a SubjectAccessReview names it: the groups exactly as given.</summary>
    internal static ClusterIdentity Exactly(string userName, IReadOnlyList<string> groups) => new(userName, groups);

    internal static string[] ServiceAccountGroups(string @namespace) => [ServiceAccountsGroup, $"{ServiceAccountsGroup}:{@namespace}", AuthenticatedGroup];

    private static string[] WithAuthenticated(IEnumerable<string> groups)
    {
        var all = groups.Where(g => !string.IsNullOrEmpty(g)).Distinct(StringComparer.Ordinal).ToList();
        if (!all.Contains(AuthenticatedGroup))
        {
            all.Add(AuthenticatedGroup);
        }

        return [.. all];
    }

    /// <inheritdoc/>
    public override string ToString() => $"{UserName} [{string.Join(", ", Groups)}]";
}
