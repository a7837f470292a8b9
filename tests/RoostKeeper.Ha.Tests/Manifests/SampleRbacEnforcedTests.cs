using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RoostKeeper.Ha.Health;
using RoostKeeper.Ha.Recovery;
using RoostKeeper.Ha.RollingUpdates;
using RoostKeeper.Ha.Testing;
using RoostKeeper.Ha.Tests.Diagnostics;
using RoostKeeper.Ha.Tests.Election;
using RoostKeeper.Ha.Tests.Health;

namespace RoostKeeper.Ha.Tests.Manifests;

/// <summary>
/// The sample's RBAC enforced (SimulatedCluster with <see cref="SimulatedClusterOptions.EnableRbac"/>): replicas that
/// run as the sample's service account with config/ha's Roles and ClusterRoles elect, pass every health check, back
/// up, restore and roll out; without any one of the library's rules, the API server's exact 403 reaches the user
/// through the feature that needed it (the health check that reads it, the backup, the restore or the rollout).
/// </summary>
public sealed class SampleRbacEnforcedTests
{
    private const string ServiceAccount = "roost-keeper-controller-manager";
    private const string Deployment = "roost-controller";

    /// <summary>Every rule of the library's Role and ClusterRoles, as "Kind/name#index".</summary>
    public static TheoryData<string> LibraryRules()
    {
        var data = new TheoryData<string>();
        foreach (var role in SampleManifests.All().OfType<V1Role>().Where(r => r.Metadata.Name == "roost-keeper-controller-manager"))
        {
            for (var i = 0; i < role.Rules.Count; i++)
            {
                data.Add($"Role/{role.Metadata.Name}#{i}");
            }
        }

        foreach (var role in SampleManifests.All().OfType<V1ClusterRole>())
        {
            for (var i = 0; i < role.Rules.Count; i++)
            {
                data.Add($"ClusterRole/{role.Metadata.Name}#{i}");
            }
        }

        return data;
    }

    [Fact]
    public async Task Three_replicas_with_the_samples_roles_elect_check_health_back_up_restore_and_roll_out()
    {
        await using var bed = await Bed.StartAsync(removed: null);
        var replicas = new List<ReplicaHost>();
        try
        {
            foreach (var name in ControllerTour.Replicas)
            {
                replicas.Add(bed.Replica(name));
                await replicas[^1].StartAsync();
            }

            ReplicaHost? leader = null;
            await HealthTestKit.Until(() => (leader = replicas.FirstOrDefault(r => r.Manager.IsLeader)) is not null, "a leader");
            foreach (var replica in replicas)
            {
                var health = replica.Services.GetRequiredService<HealthManager>();
                await HealthTestKit.CheckUntilAsync(health, "leader-election", e => e.Status == HealthStatus.Healthy);
                var report = await health.CheckHealthAsync(CancellationToken.None);
                Assert.All(report.Entries, e => Assert.DoesNotContain("forbidden", e.Value.Description ?? "", StringComparison.OrdinalIgnoreCase));
            }

            var recovery = leader!.Services.GetRequiredService<RecoveryManager>();
            var backup = await recovery.CreateBackupAsync();
            await bed.Kit.Admin.CustomObjects.DeleteNamespacedCustomObjectAsync(ControllerTour.Group, ControllerTour.Version, ControllerTour.OtherNamespace, ControllerTour.Plural, "roost-1");
            var restored = await recovery.RestoreFromBackupAsync(backup.Id, new RestoreOptions { VerifyHealth = false });
            Assert.True(restored.Succeeded, string.Join("; ", restored.Objects.Select(o => $"{o.Name}: {o.Outcome} {o.Error}")));
            Assert.Equal(1, restored.Count(RestoreOutcome.Created));

            var rollout = await leader.Services.GetRequiredService<RollingUpdateManager>().PerformRollingUpdateAsync(bed.Kit.Namespace, Deployment, "roost:v2");
            Assert.True(rollout.Phase == RollingUpdatePhase.Succeeded, rollout.Message);
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }
        }
    }

    [Theory]
    [MemberData(nameof(LibraryRules))]
    public async Task Without_any_one_rule_the_exact_forbidden_message_reaches_the_user(string rule)
    {
        await using var bed = await Bed.StartAsync(removed: rule);
        var (kind, name, index) = Parse(rule);
        var removed = kind == "Role"
            ? SampleManifests.All().OfType<V1Role>().Single(r => r.Metadata.Name == name).Rules[index]
            : SampleManifests.All().OfType<V1ClusterRole>().Single(r => r.Metadata.Name == name).Rules[index];
        var resource = removed.Resources[0];
        var ns = bed.Kit.Namespace;
        var user = $"system:serviceaccount:{ns}:{ServiceAccount}";
        var inNamespace = $"in the namespace \"{ns}\"";
        var (feature, expected) = resource switch
        {
            "leases" => ("leader-election", $"leases.coordination.k8s.io \"roost-keeper-controller\" is forbidden: User \"{user}\" cannot get resource \"leases\" in API group \"coordination.k8s.io\" {inNamespace}"),
            "pods" => ("pods/app=roost", $"pods is forbidden: User \"{user}\" cannot list resource \"pods\" in API group \"\" {inNamespace}"),
            "services" => ("service/roost-svc", $"services \"roost-svc\" is forbidden: User \"{user}\" cannot get resource \"services\" in API group \"\" {inNamespace}"),
            "endpointslices" => ("service/roost-svc", $"endpointslices.discovery.k8s.io is forbidden: User \"{user}\" cannot list resource \"endpointslices\" in API group \"discovery.k8s.io\" {inNamespace}"),
            "deployments" => ("deployment/web", $"deployments.apps \"web\" is forbidden: User \"{user}\" cannot get resource \"deployments\" in API group \"apps\" {inNamespace}"),
            "replicasets" => ("rollout", $"replicasets.apps is forbidden: User \"{user}\" cannot list resource \"replicasets\" in API group \"apps\" {inNamespace}"),
            "poddisruptionbudgets" => ("rollout", $"poddisruptionbudgets.policy is forbidden: User \"{user}\" cannot list resource \"poddisruptionbudgets\" in API group \"policy\" {inNamespace}"),
            "validatingwebhookconfigurations" => ("webhook/roost-keeper-webhook", $"validatingwebhookconfigurations.admissionregistration.k8s.io \"roost-keeper-webhook\" is forbidden: User \"{user}\" cannot get resource \"validatingwebhookconfigurations\" in API group \"admissionregistration.k8s.io\" at the cluster scope"),
            ControllerTour.Plural => ("backup", $"managedroosts.roost.birb.party is forbidden: User \"{user}\" cannot list resource \"managedroosts\" in API group \"roost.birb.party\" at the cluster scope"),
            "customresourcedefinitions" => ("backup", $"customresourcedefinitions.apiextensions.k8s.io \"managedroosts.roost.birb.party\" is forbidden: User \"{user}\" cannot get resource \"customresourcedefinitions\" in API group \"apiextensions.k8s.io\" at the cluster scope"),
            "namespaces" => ("restore", $"is forbidden: User \"{user}\" cannot get resource \"namespaces\" in API group \"\" at the cluster scope"),
            _ => throw new InvalidOperationException($"no feature known to need {resource}: add it to this test"),
        };

        await using var replica = bed.Replica(ControllerTour.Replicas[0]);
        await replica.StartAsync();
        var health = replica.Services.GetRequiredService<HealthManager>();
        if (health.CheckNames.Contains(feature))
        {
            var entry = await HealthTestKit.CheckUntilAsync(health, feature, e => e.Description?.Contains(expected, StringComparison.Ordinal) == true);
            Assert.NotEqual(HealthStatus.Healthy, entry.Status);
            return;
        }

        await HealthTestKit.Until(() => replica.Manager.IsLeader, "the replica to lead");
        var recovery = replica.Services.GetRequiredService<RecoveryManager>();
        string? failure;
        switch (feature)
        {
            case "backup":
                failure = (await Assert.ThrowsAsync<BackupFailedException>(() => recovery.CreateBackupAsync())).Message;
                break;
            case "restore":
                var backup = await recovery.CreateBackupAsync();
                var result = await recovery.RestoreFromBackupAsync(backup.Id, new RestoreOptions { VerifyHealth = false });
                Assert.False(result.Succeeded);
                failure = string.Join("\n", result.Objects.Select(o => o.Error));
                break;
            default:
                var rollouts = replica.Services.GetRequiredService<RollingUpdateManager>();
                var refused = await Assert.ThrowsAsync<RollingUpdateRefusedException>(() => rollouts.PerformRollingUpdateAsync(ns, Deployment, "roost:v2"));
                Assert.Contains("Grant that permission", refused.Message, StringComparison.Ordinal);
                var recorded = Assert.Single(rollouts.ListUpdates());
                Assert.Equal((RollingUpdatePhase.Failed, RollingUpdateFailureKind.ApiError), (recorded.Phase, recorded.Failure));
                Assert.Contains(expected, recorded.Message, StringComparison.Ordinal);
                failure = refused.Message;
                break;
        }

        Assert.Contains(expected, failure, StringComparison.Ordinal);
    }

    private static (string Kind, string Name, int Index) Parse(string rule)
    {
        var slash = rule.IndexOf('/', StringComparison.Ordinal);
        var hash = rule.IndexOf('#', StringComparison.Ordinal);
        return (rule[..slash], rule[(slash + 1)..hash], int.Parse(rule[(hash + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>A cluster with RBAC, what the tour's replicas work on, and the sample's RBAC (less one rule) for its service account.</summary>
    private sealed class Bed : IAsyncDisposable
    {
        private readonly string _backups = Path.Combine(Path.GetTempPath(), $"roostha-rbac-{Guid.NewGuid():N}");
        private readonly LeadershipRecorder _leadership = new();

        private Bed(HealthTestKit kit) => Kit = kit;

        public HealthTestKit Kit { get; }

        public static async Task<Bed> StartAsync(string? removed)
        {
            var kit = await HealthTestKit.StartAsync(enableRbac: true);
            var bed = new Bed(kit);
            foreach (var name in ControllerTour.Replicas)
            {
                await kit.CreatePodAsync(name, "roost", $"roost:{name}");
            }

            await kit.CreateDeploymentAsync("web", "roost:web", 1);
            await kit.CreateServiceAsync("roost-svc", "roost");
            await kit.CreateWebhookConfigurationAsync("roost-keeper-webhook", kit.ServiceClientConfig("roost-svc"));
            await kit.Admin.AppsV1.CreateNamespacedDeploymentAsync(ControllerTestKit.Deployment(Deployment, "roost:v1", 2), kit.Namespace);
            await ControllerTour.SeedRoostsAsync(kit.Admin, kit.Namespace);
            await kit.WaitForPodsAsync("roost", 3, 3);
            await ControllerTestKit.WaitForRolloutAsync(kit.Admin, kit.Namespace, Deployment);
            await bed.ApplyRbacAsync(removed);
            return bed;
        }

        public ReplicaHost Replica(string name) =>
            new(name, Kit.Cluster.CreateClient(name, ClusterIdentity.ServiceAccount(Kit.Namespace, ServiceAccount)), Kit.Namespace, _leadership, ha => ControllerTour.AddTourHealthChecks(ha, name)
                .AddBackups(b => b.Include(ControllerTour.Group, ControllerTour.Version, ControllerTour.Plural).ToDirectory(_backups))
                .AddRollingUpdates(o =>
                {
                    o.PollInterval = TimeSpan.FromMilliseconds(50);
                    o.ReadinessTimeout = TimeSpan.FromSeconds(20);
                    o.Timeout = TimeSpan.FromSeconds(60);
                    o.RollbackOnFailure = false;
                }));

        /// <summary>config/ha's Roles, ClusterRoles and bindings as kustomize puts them in the replicas' namespace, less <paramref name="removed"/>.</summary>
        private async Task ApplyRbacAsync(string? removed)
        {
            var admin = Kit.Admin;
            var ns = Kit.Namespace;
            foreach (var item in SampleManifests.All())
            {
                switch (item)
                {
                    case V1Role role:
                        role.Metadata.NamespaceProperty = ns;
                        role.Rules = Without(role.Rules, $"Role/{role.Metadata.Name}", removed);
                        await admin.RbacAuthorizationV1.CreateNamespacedRoleAsync(role, ns);
                        break;
                    case V1ClusterRole role:
                        role.Rules = Without(role.Rules, $"ClusterRole/{role.Metadata.Name}", removed);
                        await admin.RbacAuthorizationV1.CreateClusterRoleAsync(role);
                        break;
                    case V1RoleBinding binding:
                        binding.Metadata.NamespaceProperty = ns;
                        SetNamespace(binding.Subjects, ns);
                        await admin.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(binding, ns);
                        break;
                    case V1ClusterRoleBinding binding:
                        SetNamespace(binding.Subjects, ns);
                        await admin.RbacAuthorizationV1.CreateClusterRoleBindingAsync(binding);
                        break;
                }
            }
        }

        private static List<V1PolicyRule> Without(IList<V1PolicyRule> rules, string role, string? removed) =>
            rules.Where((_, i) => $"{role}#{i}" != removed).ToList();

        private static void SetNamespace(IList<Rbacv1Subject> subjects, string ns)
        {
            foreach (var subject in subjects.Where(s => s.Kind == "ServiceAccount"))
            {
                subject.NamespaceProperty = ns;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Kit.DisposeAsync();
            if (Directory.Exists(_backups))
            {
                Directory.Delete(_backups, recursive: true);
            }
        }
    }
}
