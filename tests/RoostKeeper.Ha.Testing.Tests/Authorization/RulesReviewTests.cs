using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using static RoostKeeper.Ha.Testing.Tests.Authorization.Rbac;

namespace RoostKeeper.Ha.Testing.Tests.Authorization;

/// <summary>
/// SelfSubjectRulesReview with RBAC on, through KubernetesClient: the rules of every binding that applies to the
/// requester (ClusterRoleBindings, then the RoleBindings of the namespace), the missing roles in evaluationError,
/// and system:masters seeing only what RBAC binds to it, as the real RBAC authorizer's RulesFor answers.
/// </summary>
public sealed class RulesReviewTests() : RbacClusterTest("rules")
{
    private static Task<V1SelfSubjectRulesReview> ReviewAsync(IKubernetes client, string? ns) =>
        client.AuthorizationV1.CreateSelfSubjectRulesReviewAsync(new V1SelfSubjectRulesReview { Spec = new V1SelfSubjectRulesReviewSpec { NamespaceProperty = ns } });

    private static string Describe(V1ResourceRule rule) =>
        $"{string.Join(",", rule.Verbs)} {string.Join(",", rule.ApiGroups ?? [])}/{string.Join(",", rule.Resources ?? [])} [{string.Join(",", rule.ResourceNames ?? [])}]";

    private static string Describe(V1NonResourceRule rule) => $"{string.Join(",", rule.Verbs)} {string.Join(",", rule.NonResourceURLs)}";

    [Fact]
    public async Task A_service_account_sees_the_rules_of_its_cluster_role_and_role_bindings_and_no_others()
    {
        await GrantClusterAsync(Admin, "node-reader", ServiceAccount(Ns, "robot"), Rule("", "nodes", "get", "list"),
            new V1PolicyRule { NonResourceURLs = ["/metrics"], Verbs = ["get"] });
        await GrantAsync(Admin, Ns, "leases", ServiceAccount(Ns, "robot"),
            new V1PolicyRule { ApiGroups = ["coordination.k8s.io"], Resources = ["leases"], ResourceNames = ["lock"], Verbs = ["get", "update"] });
        // A group binding applies through the service account's groups; bindings for others and in other namespaces do not.
        await GrantAsync(Admin, Ns, "everyone-here", Group($"system:serviceaccounts:{Ns}"), Rule("", "configmaps", "list"));
        await GrantAsync(Admin, Ns, "someone-else", ServiceAccount(Ns, "other"), Rule("", "secrets", "get"));
        await Admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Ns + "-x" } });
        await GrantAsync(Admin, Ns + "-x", "elsewhere", ServiceAccount(Ns, "robot"), Rule("", "pods", "delete"));

        var robot = Cluster.CreateClient("robot", ClusterIdentity.ServiceAccount(Ns, "robot"));
        var status = (await ReviewAsync(robot, Ns)).Status;

        Assert.False(status.Incomplete);
        Assert.Null(status.EvaluationError);
        // The order is the listers' (a real server's is its cache's), so the test compares the rules as a set.
        Assert.Equal(
            [
                "create authentication.k8s.io/selfsubjectreviews []", // system:basic-user, bound to system:authenticated
                "create authorization.k8s.io/selfsubjectaccessreviews,selfsubjectrulesreviews []",
                "get,list /nodes []",
                "get,update coordination.k8s.io/leases [lock]",
                "list /configmaps []",
            ],
            status.ResourceRules.Select(Describe).Order(StringComparer.Ordinal));
        Assert.Contains("get /metrics", status.NonResourceRules.Select(Describe));
        Assert.Contains(status.NonResourceRules, rule => rule.NonResourceURLs.Contains("/version")); // system:discovery
        Assert.DoesNotContain(status.ResourceRules, rule => rule.Resources.Contains("secrets") || rule.Resources.Contains("pods"));

        // In another namespace only the cluster-wide rules remain.
        var elsewhere = (await ReviewAsync(robot, Ns + "-x")).Status;
        Assert.Contains("delete /pods []", elsewhere.ResourceRules.Select(Describe));
        Assert.DoesNotContain(elsewhere.ResourceRules, rule => rule.Resources.Contains("leases") || rule.Resources.Contains("configmaps"));
    }

    [Fact]
    public async Task A_binding_to_a_missing_role_is_named_in_evaluation_error_and_the_other_rules_are_still_listed()
    {
        await GrantAsync(Admin, Ns, "leases", User("alice"), Rule("coordination.k8s.io", "leases", "get"));
        await Admin.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "dangling" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = "gone" },
            Subjects = [User("alice")],
        }, Ns);
        await Admin.RbacAuthorizationV1.CreateClusterRoleBindingAsync(new V1ClusterRoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "dangling-cluster" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = "absent" },
            Subjects = [Group("developers")],
        });

        var alice = Cluster.CreateClient("alice", ClusterIdentity.User("alice", "developers"));
        var status = (await ReviewAsync(alice, Ns)).Status;

        // The real RBAC RulesFor reports the resolver's aggregated error and never sets incomplete itself.
        Assert.Equal(
            "[clusterrole.rbac.authorization.k8s.io \"absent\" not found, role.rbac.authorization.k8s.io \"gone\" not found]",
            status.EvaluationError);
        Assert.False(status.Incomplete);
        Assert.Contains("get coordination.k8s.io/leases []", status.ResourceRules.Select(Describe));

        // Once the role exists its rules are listed and the error is gone.
        await Admin.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole { Metadata = new V1ObjectMeta { Name = "absent" }, Rules = [Rule("", "services", "watch")] });
        await Admin.RbacAuthorizationV1.DeleteNamespacedRoleBindingAsync("dangling", Ns);
        status = (await ReviewAsync(alice, Ns)).Status;
        Assert.Null(status.EvaluationError);
        Assert.Contains("watch /services []", status.ResourceRules.Select(Describe));

        // A user bound to nothing else sees only what every authenticated user has, with no error.
        status = (await ReviewAsync(Cluster.CreateClient("bob", ClusterIdentity.User("bob")), Ns)).Status;
        Assert.Equal((false, null), (status.Incomplete, status.EvaluationError));
        Assert.All(status.ResourceRules, rule => Assert.Equal(["create"], rule.Verbs));
    }

    [Fact]
    public async Task System_masters_sees_only_the_rules_rbac_binds_to_it()
    {
        var status = (await ReviewAsync(Admin, Ns)).Status;
        Assert.Contains("* */* []", status.ResourceRules.Select(Describe)); // cluster-admin, bound to system:masters
        Assert.Contains("* *", status.NonResourceRules.Select(Describe));

        // Without the cluster-admin binding the admin may still do anything (the privileged-group authorizer), but
        // that authorizer lists no rules, so the review shows only the bootstrap rules of system:authenticated.
        await Admin.RbacAuthorizationV1.DeleteClusterRoleBindingAsync("cluster-admin");
        await Admin.CoreV1.ListNamespacedPodAsync(Ns);
        status = (await ReviewAsync(Admin, Ns)).Status;
        Assert.DoesNotContain(status.ResourceRules, rule => rule.Verbs.Contains("*"));
        Assert.DoesNotContain(status.NonResourceRules, rule => rule.NonResourceURLs.Contains("*"));
        Assert.Equal((false, null), (status.Incomplete, status.EvaluationError));
    }

    [Fact]
    public async Task A_review_without_a_namespace_is_a_bad_request()
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => ReviewAsync(Admin, null));
        Assert.Equal(HttpStatusCode.BadRequest, e.Response.StatusCode);
        Assert.Contains("no namespace on request", e.Response.Content, StringComparison.Ordinal);
    }
}
