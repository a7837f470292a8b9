using k8s.Models;
using RoostKeeper.Ha.Tests.Diagnostics;

namespace RoostKeeper.Ha.Tests.Manifests;

/// <summary>
/// The sample's RBAC against what the library really asks the API server: <see cref="ControllerTour"/> (three
/// replicas elect a leader, run every health check, publish their health Leases, back up, validate and restore
/// ManagedRoosts, roll a Deployment out and back, and hand over on ill health) with SimulatedCluster recording each
/// verb and resource the replicas request; the Roles and ClusterRoles must grant exactly those.
/// </summary>
[Collection(ControllerTourCollection.Name)]
public sealed class RbacFromRequestsTests(ControllerTour tour)
{
    private static readonly string[] Verbs = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];

    /// <summary>
    /// Non-resource paths every authenticated client may read (the built-in ClusterRole
    /// system:public-info-viewer): the API server health check's GET /version needs no grant.
    /// </summary>
    private static readonly string[] PublicPaths = ["/version", "/version/", "/healthz", "/livez", "/readyz"];

    /// <summary>Every resource type the simulator serves, with its API group.</summary>
    private static readonly Dictionary<string, string> Groups = new()
    {
        ["namespaces"] = "", ["pods"] = "", ["services"] = "", ["events"] = "", ["configmaps"] = "", ["secrets"] = "",
        ["serviceaccounts"] = "", ["endpoints"] = "", ["nodes"] = "", ["persistentvolumeclaims"] = "",
        ["deployments"] = "apps", ["replicasets"] = "apps", ["statefulsets"] = "apps", ["daemonsets"] = "apps",
        ["leases"] = "coordination.k8s.io", ["endpointslices"] = "discovery.k8s.io",
        ["validatingwebhookconfigurations"] = "admissionregistration.k8s.io", ["mutatingwebhookconfigurations"] = "admissionregistration.k8s.io",
        ["customresourcedefinitions"] = "apiextensions.k8s.io", ["poddisruptionbudgets"] = "policy", ["networkpolicies"] = "networking.k8s.io",
        ["roles"] = "rbac.authorization.k8s.io",
        [ControllerTour.Plural] = ControllerTour.Group, ["rolebindings"] = "rbac.authorization.k8s.io",
        ["clusterroles"] = "rbac.authorization.k8s.io", ["clusterrolebindings"] = "rbac.authorization.k8s.io",
    };

    [Fact]
    public void The_roles_grant_exactly_the_verbs_an_election_health_backup_restore_and_rollout_use()
    {
        var requests = tour.Cluster.Requests;
        var used = (from name in ControllerTour.Replicas
                    from verb in Verbs
                    from resource in Groups.Keys
                    where requests.Count(name, verb, resource) > 0
                    select $"{Groups[resource]}/{resource}:{verb}").ToHashSet();
        // The sample controller's own Role is checked against its reconciler in RoostKeeper.Ha.Sample.Tests.
        var granted = Grants(SampleManifests.All().OfType<V1Role>().Where(r => r.Metadata.Name != "roost-keeper-managedroost-controller").SelectMany(r => r.Rules))
            .Concat(Grants(SampleManifests.All().OfType<V1ClusterRole>().SelectMany(r => r.Rules)))
            .ToHashSet();

        Assert.True(used.Count > 0, "no request was recorded");
        var missing = used.Except(granted).Order().ToList();
        var unused = granted.Except(used).Order().ToList();
        Assert.True(
            missing.Count == 0 && unused.Count == 0,
            $"role.yaml and cluster-role.yaml lack: [{string.Join(", ", missing)}]; grant what nothing used: [{string.Join(", ", unused)}]");
    }

    [Fact]
    public void Every_request_of_the_replicas_was_to_a_resource_this_test_knows()
    {
        var total = ControllerTour.Replicas.Sum(name => tour.Cluster.Requests.Count(name));
        var known = (from name in ControllerTour.Replicas
                     from verb in Verbs
                     from resource in Groups.Keys.Concat(PublicPaths)
                     select tour.Cluster.Requests.Count(name, verb, resource)).Sum();
        Assert.True(total > 0, "no request was recorded");
        Assert.True(total == known, $"the replicas made {total} requests, of which {known} to resources and verbs this test checks: add the others to Groups or Verbs");
    }

    private static IEnumerable<string> Grants(IEnumerable<V1PolicyRule> rules) =>
        from rule in rules
        from g in rule.ApiGroups
        from resource in rule.Resources
        from verb in rule.Verbs
        select $"{g}/{resource}:{verb}";
}
