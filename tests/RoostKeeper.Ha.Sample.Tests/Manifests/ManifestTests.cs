using k8s;
using k8s.Models;

namespace RoostKeeper.Ha.Sample.Tests.Manifests;

/// <summary>
/// samples/RoostKeeper.Ha.Sample/config/ha, parsed into KubernetesClient's typed objects (strictly: an unknown
/// field or an apiVersion/kind the client does not know fails) and checked for the settings it promises.
/// </summary>
public sealed class ManifestTests
{
    private const string App = "roost-keeper";

    private static readonly string[] ServedApiVersions =
        ["v1", "apps/v1", "policy/v1", "rbac.authorization.k8s.io/v1", "networking.k8s.io/v1", "monitoring.coreos.com/v1"];

    [Fact]
    public void The_kustomization_lists_every_manifest_in_the_folder_and_nothing_else()
    {
        var onDisk = Directory.GetFiles(SampleManifests.Folder, "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml").Order();
        Assert.Equal(onDisk, SampleManifests.KustomizationResources().Order());
    }

    [Fact]
    public void Every_object_parses_and_uses_an_api_version_current_clusters_serve()
    {
        var objects = SampleManifests.All();
        var kinds = objects.Cast<IKubernetesObject>().Select(o => o.Kind).ToHashSet();
        Assert.Superset(kinds, new HashSet<string> { "Namespace", "ServiceAccount", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding", "Deployment", "PodDisruptionBudget", "Service", "NetworkPolicy", "ServiceMonitor", "PrometheusRule" });
        Assert.All(objects.Cast<IKubernetesObject>(), o => Assert.Contains(o.ApiVersion, ServedApiVersions));
        Assert.All(objects.Cast<IKubernetesObject<V1ObjectMeta>>(), o => Assert.Equal(App, o.Metadata.Labels?["app"]));
    }

    [Fact]
    public void A_misspelt_field_or_an_unknown_kind_fails_the_parse()
    {
        Assert.Equal("None", Assert.IsType<V1Service>(Assert.Single(SampleManifests.Parse("apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {sessionAffinity: None}\n"))).Spec.SessionAffinity);
        Assert.ThrowsAny<Exception>(() => SampleManifests.Parse("apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {sessionAfinity: None}\n"));
        Assert.ThrowsAny<Exception>(() => SampleManifests.Parse("apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: x}\n"));
    }

    [Fact]
    public void The_deployment_runs_three_replicas_one_at_a_time_spread_over_nodes_and_zones()
    {
        var deployment = SampleManifests.Single<V1Deployment>();
        Assert.Equal(3, deployment.Spec.Replicas);
        Assert.Equal("RollingUpdate", deployment.Spec.Strategy.Type);
        Assert.Equal("1", deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value);
        Assert.Equal("1", deployment.Spec.Strategy.RollingUpdate.MaxSurge.Value);
        Assert.Equal(App, deployment.Spec.Selector.MatchLabels["app"]);
        Assert.Equal(App, deployment.Spec.Template.Metadata.Labels["app"]);

        var antiAffinity = deployment.Spec.Template.Spec.Affinity.PodAntiAffinity;
        var required = Assert.Single(antiAffinity.RequiredDuringSchedulingIgnoredDuringExecution);
        Assert.Equal("kubernetes.io/hostname", required.TopologyKey);
        Assert.True(SelectsApp(required.LabelSelector));
        var preferred = Assert.Single(antiAffinity.PreferredDuringSchedulingIgnoredDuringExecution);
        Assert.Equal("topology.kubernetes.io/zone", preferred.PodAffinityTerm.TopologyKey);
        Assert.True(SelectsApp(preferred.PodAffinityTerm.LabelSelector));

        var spread = deployment.Spec.Template.Spec.TopologySpreadConstraints;
        Assert.Contains(spread, c => c.TopologyKey == "topology.kubernetes.io/zone" && c.MaxSkew == 1 && SelectsApp(c.LabelSelector));
        Assert.Contains(spread, c => c.TopologyKey == "kubernetes.io/hostname" && c.MaxSkew == 1 && SelectsApp(c.LabelSelector));
    }

    [Fact]
    public void The_manager_container_elects_on_a_lease_with_the_seed_timings_and_knows_its_pod()
    {
        var container = Manager();
        Assert.Contains("--RoostHa:LeaseName=roost-keeper-controller", container.Args);
        Assert.Contains("--RoostHa:LeaseDuration=00:00:15", container.Args);
        Assert.Contains("--RoostHa:RenewDeadline=00:00:10", container.Args);
        Assert.Contains("--RoostHa:RetryPeriod=00:00:02", container.Args);
        Assert.Equal("metadata.name", container.Env.Single(e => e.Name == "POD_NAME").ValueFrom.FieldRef.FieldPath);
        Assert.Equal("metadata.namespace", container.Env.Single(e => e.Name == "POD_NAMESPACE").ValueFrom.FieldRef.FieldPath);
    }

    [Fact]
    public void The_manager_is_probed_on_healthz_and_readyz_and_gets_the_seed_resources()
    {
        var container = Manager();
        Assert.Equal("/healthz", container.LivenessProbe.HttpGet.Path);
        Assert.Equal("http", container.LivenessProbe.HttpGet.Port.Value);
        Assert.Equal("/readyz", container.ReadinessProbe.HttpGet.Path);
        Assert.Equal("http", container.ReadinessProbe.HttpGet.Port.Value);
        Assert.Equal(["http", "metrics"], container.Ports.Select(p => p.Name).Order());

        Assert.Equal(new ResourceQuantity("100m"), container.Resources.Requests["cpu"]);
        Assert.Equal(new ResourceQuantity("128Mi"), container.Resources.Requests["memory"]);
        Assert.Equal(new ResourceQuantity("500m"), container.Resources.Limits["cpu"]);
        Assert.Equal(new ResourceQuantity("512Mi"), container.Resources.Limits["memory"]);
    }

    [Fact]
    public void The_pod_runs_unprivileged_with_a_read_only_root_and_a_token_only_because_it_calls_the_api()
    {
        var pod = SampleManifests.Single<V1Deployment>().Spec.Template.Spec;
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.Equal("RuntimeDefault", pod.SecurityContext.SeccompProfile.Type);

        var context = Manager().SecurityContext;
        Assert.True(context.RunAsNonRoot);
        Assert.True(context.ReadOnlyRootFilesystem);
        Assert.False(context.AllowPrivilegeEscalation);
        Assert.Equal(["ALL"], context.Capabilities.Drop);
        Assert.Null(context.Capabilities.Add);
        Assert.Null(context.Privileged);
        Assert.Equal("RuntimeDefault", context.SeccompProfile.Type);

        var account = SampleManifests.Single<V1ServiceAccount>();
        Assert.Equal(account.Metadata.Name, pod.ServiceAccountName);
        Assert.False(account.AutomountServiceAccountToken);
        Assert.True(pod.AutomountServiceAccountToken);
        Assert.Null(pod.HostNetwork);
        Assert.Null(pod.HostPID);
    }

    [Fact]
    public void The_disruption_budget_keeps_two_of_the_three_replicas()
    {
        var budget = SampleManifests.Single<V1PodDisruptionBudget>();
        Assert.Equal("2", budget.Spec.MinAvailable.Value);
        Assert.Null(budget.Spec.MaxUnavailable);
        Assert.Equal(App, budget.Spec.Selector.MatchLabels["app"]);
    }

    [Fact]
    public void The_service_has_no_session_affinity_and_routes_its_ports_to_named_container_ports()
    {
        var service = SampleManifests.Single<V1Service>();
        Assert.Equal("None", service.Spec.SessionAffinity);
        Assert.Equal(App, service.Spec.Selector["app"]);
        var containerPorts = Manager().Ports.Select(p => p.Name).ToHashSet();
        Assert.Equal(["http", "metrics"], service.Spec.Ports.Select(p => p.Name).Order());
        Assert.All(service.Spec.Ports, p => Assert.Contains(p.TargetPort.Value, containerPorts));
    }

    [Fact]
    public void The_service_monitor_scrapes_the_metrics_port_of_the_service()
    {
        var monitor = SampleManifests.Monitoring("ServiceMonitor");
        var selector = (Dictionary<object, object?>)((Dictionary<object, object?>)monitor.Spec!["selector"]!)["matchLabels"]!;
        Assert.Equal(App, selector["app"]);
        var endpoint = (Dictionary<object, object?>)Assert.Single((List<object?>)monitor.Spec["endpoints"]!)!;
        Assert.Equal("metrics", endpoint["port"]);
        Assert.Equal("/metrics", endpoint["path"]);
        Assert.Contains(SampleManifests.Single<V1Service>().Spec.Ports, p => p.Name == "metrics");
    }

    [Fact]
    public void The_roles_are_namespaced_have_no_wildcards_and_are_bound_to_the_service_account()
    {
        // Which verbs, exactly: RbacFromRequestsTests (the library) and the sample's ControllerRoleTests (its reconciler).
        var roles = SampleManifests.All().OfType<V1Role>().ToList();
        Assert.Equal(["roost-keeper-controller-manager", "roost-keeper-managedroost-controller"], roles.Select(r => r.Metadata.Name).Order());
        var bindings = SampleManifests.All().OfType<V1RoleBinding>().ToList();
        foreach (var role in roles)
        {
            Assert.DoesNotContain(role.Rules, r => r.Verbs.Contains("*") || r.Resources.Contains("*") || r.ApiGroups.Contains("*"));
            var binding = Assert.Single(bindings, b => b.RoleRef.Name == role.Metadata.Name);
            Assert.Equal("Role", binding.RoleRef.Kind);
            Assert.Equal(SampleManifests.Single<V1ServiceAccount>().Metadata.Name, Assert.Single(binding.Subjects).Name);
        }

        Assert.Equal(roles.Count, bindings.Count);
    }

    [Fact]
    public void The_cluster_roles_read_only_the_named_webhook_configurations_and_back_up_only_managedroosts()
    {
        var roles = SampleManifests.All().OfType<V1ClusterRole>().ToDictionary(r => r.Metadata.Name);
        Assert.Equal(["roost-keeper-backup", "roost-keeper-webhook-reader"], roles.Keys.Order());

        var webhook = Assert.Single(roles["roost-keeper-webhook-reader"].Rules);
        Assert.Equal(["get"], webhook.Verbs);
        Assert.Equal(["admissionregistration.k8s.io"], webhook.ApiGroups);
        Assert.Equal(["mutatingwebhookconfigurations", "validatingwebhookconfigurations"], webhook.Resources.Order());
        Assert.NotEmpty(webhook.ResourceNames);

        // Which verbs, exactly: RbacFromRequestsTests. Here: no wildcards, nothing that deletes, no secrets.
        var backup = roles["roost-keeper-backup"].Rules;
        Assert.DoesNotContain(backup, r => r.Verbs.Contains("*") || r.Resources.Contains("*") || r.ApiGroups.Contains("*"));
        Assert.DoesNotContain(backup, r => r.Verbs.Intersect(["delete", "deletecollection", "patch", "update"]).Any());
        Assert.DoesNotContain(backup, r => r.Resources.Contains("secrets"));

        var bindings = SampleManifests.All().OfType<V1ClusterRoleBinding>().ToList();
        Assert.Equal(roles.Keys.Order(), bindings.Select(b => b.RoleRef.Name).Order());
        Assert.All(bindings, b => Assert.Equal(SampleManifests.Single<V1ServiceAccount>().Metadata.Name, Assert.Single(b.Subjects).Name));
    }

    [Fact]
    public void The_network_policy_admits_only_the_api_and_metrics_ports_from_their_clients()
    {
        var policy = SampleManifests.Single<V1NetworkPolicy>();
        Assert.Equal(App, policy.Spec.PodSelector.MatchLabels["app"]);
        Assert.Equal(["Ingress"], policy.Spec.PolicyTypes);
        Assert.All(policy.Spec.Ingress, rule => Assert.NotEmpty(rule.FromProperty));
        var ports = policy.Spec.Ingress.SelectMany(r => r.Ports).Select(p => p.Port.Value).Order();
        Assert.Equal(["http", "metrics"], ports);

        var metrics = Assert.Single(policy.Spec.Ingress, r => r.Ports.Any(p => p.Port.Value == "metrics"));
        var peer = Assert.Single(metrics.FromProperty);
        Assert.Equal("monitoring", peer.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"]);
        Assert.NotNull(peer.PodSelector);
    }

    private static V1Container Manager() => Assert.Single(SampleManifests.Single<V1Deployment>().Spec.Template.Spec.Containers, c => c.Name == "manager");

    private static bool SelectsApp(V1LabelSelector selector) =>
        (selector.MatchLabels?.TryGetValue("app", out var value) == true && value == App)
        || (selector.MatchExpressions?.Any(e => e.Key == "app" && e.OperatorProperty == "In" && e.Values.SequenceEqual([App])) == true);
}
