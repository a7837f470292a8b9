using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using RoostKeeper.Ha.Health;
using RoostKeeper.Ha.Testing;
using RoostKeeper.Ha.Tests.Election;
using RoostKeeper.Ha.Tests.Health;

namespace RoostKeeper.Ha.Tests.Manifests;

/// <summary>
/// The sample's RBAC against what the library really asks the API server: three replicas elect a leader, run
/// every cluster health check, publish their health Leases and hand over on ill health, with SimulatedCluster
/// recording each verb and resource; the Role and ClusterRole must grant exactly those. (Election and health
/// only: RecoveryManager and RollingUpdateManager join when they land.)
/// </summary>
public sealed class RbacFromRequestsTests
{
    private static readonly string[] Verbs = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];

    /// <summary>Every resource type the simulator serves, with its API group.</summary>
    private static readonly Dictionary<string, string> Groups = new()
    {
        ["namespaces"] = "", ["pods"] = "", ["services"] = "", ["events"] = "", ["configmaps"] = "", ["secrets"] = "",
        ["serviceaccounts"] = "", ["endpoints"] = "", ["nodes"] = "", ["persistentvolumeclaims"] = "",
        ["deployments"] = "apps", ["replicasets"] = "apps", ["statefulsets"] = "apps", ["daemonsets"] = "apps",
        ["leases"] = "coordination.k8s.io", ["endpointslices"] = "discovery.k8s.io",
        ["validatingwebhookconfigurations"] = "admissionregistration.k8s.io", ["mutatingwebhookconfigurations"] = "admissionregistration.k8s.io",
        ["customresourcedefinitions"] = "apiextensions.k8s.io", ["poddisruptionbudgets"] = "policy", ["networkpolicies"] = "networking.k8s.io",
        ["roles"] = "rbac.authorization.k8s.io", ["rolebindings"] = "rbac.authorization.k8s.io",
        ["clusterroles"] = "rbac.authorization.k8s.io", ["clusterrolebindings"] = "rbac.authorization.k8s.io",
    };

    [Fact]
    public async Task The_roles_grant_exactly_the_verbs_an_election_and_every_health_check_use()
    {
        await using var kit = await HealthTestKit.StartAsync();
        string[] names = ["replica-a", "replica-b", "replica-c"];
        foreach (var name in names)
        {
            await kit.CreatePodAsync(name, "roost", $"roost:{name}");
        }

        await kit.CreateDeploymentAsync("web", "roost:web", 1);
        await kit.CreateServiceAsync("roost-svc", "roost");
        await kit.CreateWebhookConfigurationAsync("roost-keeper-webhook", kit.ServiceClientConfig("roost-svc"));
        await kit.WaitForPodsAsync("roost", 3, 3);

        var replicas = names.Select(name => new ReplicaHost(name, kit.Cluster.CreateClient(name), kit.Namespace, new LeadershipRecorder(), ha => ha
            .AddHealthChecks(
                h => h.AddKubernetesApi()
                    .AddLeaderElection()
                    .AddDeploymentReplicas("web")
                    .AddReadyPods("app=roost", requireThisPod: true)
                    .AddServiceEndpoints("roost-svc")
                    .AddWebhook("roost-keeper-webhook"),
                o =>
                {
                    o.Interval = TimeSpan.FromMilliseconds(300);
                    o.PodName = name;
                })
            .StepDownWhenUnhealthy(TimeSpan.FromSeconds(1)))).ToList();
        try
        {
            foreach (var replica in replicas)
            {
                await replica.StartAsync();
            }

            var leader = await LeaderAsync(replicas);
            await HealthTestKit.Until(() => replicas.All(r => r.Services.GetRequiredService<HealthMonitor>().Rounds >= 2), "two health rounds on every replica");

            // Ill health makes the leader look for a healthy peer and hand over; then it stops and releases.
            kit.Cluster.Images.Set($"roost:{leader.Name}", ImageHealth.NeverReady);
            var next = await LeaderAsync(replicas.Where(r => r != leader).ToList());
            await leader.StopAsync();
            await HealthTestKit.Until(() => next.Services.GetRequiredService<HealthMonitor>().Rounds >= 6, "more rounds on the new leader");
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }
        }

        var used = (from name in names
                    from verb in Verbs
                    from resource in Groups.Keys
                    where kit.Cluster.Requests.Count(name, verb, resource) > 0
                    select $"{Groups[resource]}/{resource}:{verb}").ToHashSet();
        var granted = Grants(SampleManifests.Single<V1Role>().Rules).Concat(Grants(SampleManifests.Single<V1ClusterRole>().Rules)).ToHashSet();

        Assert.True(used.Count > 0, "no request was recorded");
        var missing = used.Except(granted).Order().ToList();
        var unused = granted.Except(used).Order().ToList();
        Assert.True(
            missing.Count == 0 && unused.Count == 0,
            $"role.yaml and cluster-role.yaml lack: [{string.Join(", ", missing)}]; grant what nothing used: [{string.Join(", ", unused)}]");
    }

    private static IEnumerable<string> Grants(IEnumerable<V1PolicyRule> rules) =>
        from rule in rules
        from g in rule.ApiGroups
        from resource in rule.Resources
        from verb in rule.Verbs
        select $"{g}/{resource}:{verb}";

    private static async Task<ReplicaHost> LeaderAsync(IReadOnlyList<ReplicaHost> candidates)
    {
        ReplicaHost? leader = null;
        await HealthTestKit.Until(() => (leader = candidates.FirstOrDefault(r => r.Manager.IsLeader)) is not null, "a leader");
        return leader!;
    }
}
