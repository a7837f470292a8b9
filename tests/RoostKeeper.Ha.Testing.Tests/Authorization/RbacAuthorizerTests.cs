using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using static RoostKeeper.Ha.Testing.Tests.Authorization.Rbac;

namespace RoostKeeper.Ha.Testing.Tests.Authorization;

/// <summary>
/// The RBAC authorizer through KubernetesClient: clients created as service accounts and users are allowed what
/// their Roles, ClusterRoles and bindings grant and refused the rest with the real 403 message; the admin client
/// stays allowed everything.
/// </summary>
public sealed class RbacAuthorizerTests() : RbacClusterTest("rbac")
{
    private IKubernetes AsServiceAccount(string name = "robot") => Cluster.CreateClient(name, ClusterIdentity.ServiceAccount(Ns, name));

    private static V1Lease Lease(string name) => new() { Metadata = new V1ObjectMeta { Name = name }, Spec = new V1LeaseSpec { HolderIdentity = "x" } };

    [Fact]
    public async Task A_service_account_may_do_what_its_role_grants_and_is_refused_the_rest_with_the_real_message()
    {
        await GrantAsync(Admin, Ns, "leases", ServiceAccount(Ns, "robot"), Rule("coordination.k8s.io", "leases", "get", "create"));
        var robot = AsServiceAccount();

        await robot.CoordinationV1.CreateNamespacedLeaseAsync(Lease("lock"), Ns);
        Assert.Equal("x", (await robot.CoordinationV1.ReadNamespacedLeaseAsync("lock", Ns)).Spec.HolderIdentity);

        var user = $"system:serviceaccount:{Ns}:robot";
        Assert.Equal(
            $"leases.coordination.k8s.io \"lock\" is forbidden: User \"{user}\" cannot delete resource \"leases\" in API group \"coordination.k8s.io\" in the namespace \"{Ns}\"",
            await ForbiddenAsync(() => robot.CoordinationV1.DeleteNamespacedLeaseAsync("lock", Ns)));
        Assert.Equal(
            $"pods is forbidden: User \"{user}\" cannot list resource \"pods\" in API group \"\" in the namespace \"{Ns}\"",
            await ForbiddenAsync(() => robot.CoreV1.ListNamespacedPodAsync(Ns)));
        Assert.Equal(
            $"namespaces \"{Ns}\" is forbidden: User \"{user}\" cannot get resource \"namespaces\" in API group \"\" at the cluster scope",
            await ForbiddenAsync(() => robot.CoreV1.ReadNamespaceAsync(Ns)));

        // A Role grants in its own namespace only.
        await Admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Ns + "-other" } });
        await ForbiddenAsync(() => robot.CoordinationV1.CreateNamespacedLeaseAsync(Lease("lock"), Ns + "-other"));
    }

    [Fact]
    public async Task Subresources_need_their_own_rule_or_a_star_subresource_rule()
    {
        await Admin.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web"), Ns);
        await GrantAsync(Admin, Ns, "deployments", ServiceAccount(Ns, "robot"), Rule("apps", "deployments", "get", "patch"));
        var robot = AsServiceAccount();

        Assert.Equal(
            $"deployments.apps \"web\" is forbidden: User \"system:serviceaccount:{Ns}:robot\" cannot get resource \"deployments/scale\" in API group \"apps\" in the namespace \"{Ns}\"",
            await ForbiddenAsync(() => robot.AppsV1.ReadNamespacedDeploymentScaleAsync("web", Ns)));
        Assert.Contains("cannot patch resource \"deployments/status\"",
            await ForbiddenAsync(() => robot.AppsV1.PatchNamespacedDeploymentStatusAsync(new V1Patch("{}", V1Patch.PatchType.MergePatch), "web", Ns)));
        Assert.Contains("cannot get resource \"pods/log\"", await ForbiddenAsync(() => robot.CoreV1.ReadNamespacedPodLogAsync("web-0", Ns)));

        await GrantAsync(Admin, Ns, "scale", ServiceAccount(Ns, "robot"), Rule("apps", "*/scale", "get"));
        Assert.Equal(1, (await robot.AppsV1.ReadNamespacedDeploymentScaleAsync("web", Ns)).Spec.Replicas);
        await ForbiddenAsync(() => robot.AppsV1.ReadNamespacedDeploymentStatusAsync("web", Ns));
    }

    [Fact]
    public async Task Resource_names_limit_a_rule_to_the_objects_named_also_for_a_watch_narrowed_by_field_selector()
    {
        await Admin.CoordinationV1.CreateNamespacedLeaseAsync(Lease("mine"), Ns);
        await Admin.CoordinationV1.CreateNamespacedLeaseAsync(Lease("theirs"), Ns);
        await GrantAsync(Admin, Ns, "one-lease", ServiceAccount(Ns, "robot"),
            new V1PolicyRule { ApiGroups = ["coordination.k8s.io"], Resources = ["leases"], ResourceNames = ["mine"], Verbs = ["get", "list", "watch", "create"] });
        var robot = AsServiceAccount();

        await robot.CoordinationV1.ReadNamespacedLeaseAsync("mine", Ns);
        await ForbiddenAsync(() => robot.CoordinationV1.ReadNamespacedLeaseAsync("theirs", Ns));
        Assert.Equal(
            $"leases.coordination.k8s.io is forbidden: User \"system:serviceaccount:{Ns}:robot\" cannot list resource \"leases\" in API group \"coordination.k8s.io\" in the namespace \"{Ns}\"",
            await ForbiddenAsync(() => robot.CoordinationV1.ListNamespacedLeaseAsync(Ns)));
        Assert.Single((await robot.CoordinationV1.ListNamespacedLeaseAsync(Ns, fieldSelector: "metadata.name=mine")).Items);

        // create has no name when it is authorized, so resourceNames never match it (as on a real server).
        await ForbiddenAsync(() => robot.CoordinationV1.CreateNamespacedLeaseAsync(Lease("mine-2"), Ns));
    }

    [Fact]
    public async Task Stars_groups_and_cluster_role_bindings_grant_across_namespaces()
    {
        await GrantClusterAsync(Admin, "everything-in-apps", Group($"system:serviceaccounts:{Ns}"), new V1PolicyRule { ApiGroups = ["apps", ""], Resources = ["*"], Verbs = ["*"] });
        var robot = AsServiceAccount("any-name");
        await robot.AppsV1.CreateNamespacedDeploymentAsync(Deployment("web"), Ns);
        await robot.AppsV1.DeleteNamespacedDeploymentAsync("web", Ns);
        Assert.NotEmpty((await robot.CoreV1.ListNamespaceAsync()).Items);
        await ForbiddenAsync(() => robot.CoordinationV1.ListNamespacedLeaseAsync(Ns));

        // A user is in the groups it was created with, and every identity is in system:authenticated.
        var alice = Cluster.CreateClient("alice", ClusterIdentity.User("alice", "auditors"));
        await ForbiddenAsync(() => alice.CoreV1.ListNamespacedConfigMapAsync(Ns));
        await GrantClusterAsync(Admin, "auditors", Group("auditors"), Rule("", "configmaps", "list"));
        await alice.CoreV1.ListNamespacedConfigMapAsync(Ns);
        await GrantClusterAsync(Admin, "all-users", Group("system:authenticated"), Rule("", "secrets", "list"));
        await robot.CoreV1.ListNamespacedSecretAsync(Ns);
    }

    [Fact]
    public async Task A_role_binding_to_a_cluster_role_grants_in_its_namespace_only()
    {
        await Admin.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole { Metadata = new V1ObjectMeta { Name = $"{Ns}-reader" }, Rules = [Rule("", "configmaps", "get", "list")] });
        await Admin.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "reader" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = $"{Ns}-reader" },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "robot" }], // no namespace: the binding's
        }, Ns);
        var robot = AsServiceAccount();
        await robot.CoreV1.ListNamespacedConfigMapAsync(Ns);
        Assert.Contains("at the cluster scope", await ForbiddenAsync(() => robot.CoreV1.ListConfigMapForAllNamespacesAsync()));
    }

    [Fact]
    public async Task An_aggregated_cluster_role_grants_the_rules_of_the_roles_its_selectors_match()
    {
        var label = $"example.com/aggregate-to-{Ns}";
        await Admin.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole
        {
            Metadata = new V1ObjectMeta { Name = $"{Ns}-monitoring" },
            AggregationRule = new V1AggregationRule { ClusterRoleSelectors = [new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [label] = "true" } }] },
        });
        await Admin.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "monitoring" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = $"{Ns}-monitoring" },
            Subjects = [ServiceAccount(Ns, "robot")],
        }, Ns);
        var robot = AsServiceAccount();
        await ForbiddenAsync(() => robot.CoreV1.ListNamespacedPodAsync(Ns));

        await Admin.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole
        {
            Metadata = new V1ObjectMeta { Name = $"{Ns}-pod-reader", Labels = new Dictionary<string, string> { [label] = "true" } },
            Rules = [Rule("", "pods", "list")],
        });
        await Admin.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole
        {
            Metadata = new V1ObjectMeta { Name = $"{Ns}-unlabelled" },
            Rules = [Rule("", "services", "list")],
        });
        await robot.CoreV1.ListNamespacedPodAsync(Ns);
        await ForbiddenAsync(() => robot.CoreV1.ListNamespacedServiceAsync(Ns));
    }

    [Fact]
    public async Task A_binding_to_a_missing_role_is_named_in_the_refusal()
    {
        await Admin.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "dangling" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = "not-there" },
            Subjects = [ServiceAccount(Ns, "robot")],
        }, Ns);
        Assert.EndsWith(
            $"cannot list resource \"pods\" in API group \"\" in the namespace \"{Ns}\": RBAC: role.rbac.authorization.k8s.io \"not-there\" not found",
            await ForbiddenAsync(() => AsServiceAccount().CoreV1.ListNamespacedPodAsync(Ns)));
    }

    [Fact]
    public async Task The_admin_client_may_do_anything_and_an_unknown_token_is_unauthorized()
    {
        await Admin.CoreV1.ListSecretForAllNamespacesAsync();
        await Admin.RbacAuthorizationV1.ListClusterRoleAsync();
        var bootstrap = await Admin.RbacAuthorizationV1.ReadClusterRoleBindingAsync("cluster-admin");
        Assert.Equal("system:masters", Assert.Single(bootstrap.Subjects).Name);

        using var stranger = new Kubernetes(new KubernetesClientConfiguration { Host = Cluster.BaseAddress.ToString(), AccessToken = "not-issued" });
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => stranger.CoreV1.ListNamespaceAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, e.Response.StatusCode);
    }

    [Fact]
    public async Task Without_rbac_every_identity_is_allowed_everything()
    {
        await using var open = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { RunControllers = false });
        var robot = open.CreateClient("robot", ClusterIdentity.ServiceAccount("default", "robot"));
        using var dummyToken = new Kubernetes(new KubernetesClientConfiguration { Host = open.BaseAddress.ToString(), AccessToken = "simulated" });
        Assert.NotEmpty((await dummyToken.CoreV1.ListNamespaceAsync()).Items); // a token it did not issue is the admin
        await robot.CoreV1.ListSecretForAllNamespacesAsync();
        await robot.CoordinationV1.CreateNamespacedLeaseAsync(Lease("lock"), "default");
        Assert.Empty((await robot.RbacAuthorizationV1.ListClusterRoleAsync()).Items); // no bootstrap roles either
    }

    [Fact]
    public async Task A_token_review_knows_the_tokens_the_cluster_issued()
    {
        var token = Cluster.CreateToken(ClusterIdentity.ServiceAccount(Ns, "robot"));
        var known = await Admin.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = token } });
        Assert.True(known.Status.Authenticated);
        Assert.Equal($"system:serviceaccount:{Ns}:robot", known.Status.User.Username);
        Assert.Contains($"system:serviceaccounts:{Ns}", known.Status.User.Groups);

        var stranger = await Admin.AuthenticationV1.CreateTokenReviewAsync(new V1TokenReview { Spec = new V1TokenReviewSpec { Token = "not-issued" } });
        Assert.NotEqual(true, stranger.Status.Authenticated);
        Assert.False(string.IsNullOrEmpty(stranger.Status.Error));
    }

    [Fact]
    public async Task Impersonation_needs_the_impersonate_verb()
    {
        var alice = Cluster.CreateClient("alice", ClusterIdentity.User("alice"));
        var asBob = new Dictionary<string, IReadOnlyList<string>> { ["Impersonate-User"] = ["bob"] };
        Assert.Equal(
            "users \"bob\" is forbidden: User \"alice\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope",
            await ForbiddenAsync(() => alice.CoreV1.ListNamespacedPodWithHttpMessagesAsync(Ns, customHeaders: asBob)));

        await GrantClusterAsync(Admin, "impersonate-bob", User("alice"), new V1PolicyRule { ApiGroups = [""], Resources = ["users"], ResourceNames = ["bob"], Verbs = ["impersonate"] });
        Assert.StartsWith(
            $"pods is forbidden: User \"bob\" cannot list resource \"pods\"",
            await ForbiddenAsync(() => alice.CoreV1.ListNamespacedPodWithHttpMessagesAsync(Ns, customHeaders: asBob)));
    }

    internal static V1Deployment Deployment(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1DeploymentSpec
        {
            Replicas = 1,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "nginx:1.27" }] },
            },
        },
    };
}
