using k8s;
using k8s.Models;
using RoostKeeper.Ha.Testing.Tests.Clients;
using Xunit.Abstractions;
using static RoostKeeper.Ha.Testing.Tests.Authorization.Rbac;

namespace RoostKeeper.Ha.Testing.Tests.Authorization;

/// <summary>
/// The real kubectl against a cluster with RBAC on: <c>auth can-i</c> (SelfSubjectAccessReview, also with
/// <c>--as</c> impersonation and subresources), <c>auth whoami</c> (SelfSubjectReview), and a refused command
/// printing the server's 403 message, for a service account whose bearer token is in the kubeconfig.
/// </summary>
public sealed class KubectlAuthTests : IClassFixture<RbacKubectlCluster>
{
    private readonly RbacKubectlCluster _fixture;
    private readonly Kubectl _kubectl;

    public KubectlAuthTests(RbacKubectlCluster fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _kubectl = new Kubectl(fixture, output);
    }

    private async Task<(string Ns, string Kubeconfig)> RobotAsync()
    {
        var ns = await _fixture.NewNamespaceAsync("auth");
        await GrantAsync(_fixture.Client, ns, "robot", ServiceAccount(ns, "robot"),
            Rule("coordination.k8s.io", "leases", "get", "list", "watch", "create", "update"),
            Rule("apps", "deployments/scale", "get"));
        return (ns, Kubeconfig(ClusterIdentity.ServiceAccount(ns, "robot")));
    }

    /// <summary>A kubeconfig for the cluster's HTTPS address: kubectl sends a token or --as only over TLS.</summary>
    private string Kubeconfig(ClusterIdentity? identity) => _fixture.WriteFile("kubeconfig", _fixture.Cluster.CreateKubeconfig(identity));

    [Fact]
    public async Task Auth_can_i_answers_yes_and_no_from_the_roles()
    {
        var (ns, robot) = await RobotAsync();
        Assert.Equal("yes", (await _kubectl.RunAsync("--kubeconfig", robot, "auth", "can-i", "create", "leases.coordination.k8s.io", "-n", ns)).Trim());
        Assert.Equal("yes", (await _kubectl.RunAsync("--kubeconfig", robot, "auth", "can-i", "get", "deployments", "--subresource=scale", "-n", ns)).Trim());

        var no = await _kubectl.TryRunAsync("--kubeconfig", robot, "auth", "can-i", "delete", "leases.coordination.k8s.io", "-n", ns);
        Assert.Equal((1, "no"), (no.ExitCode, no.Stdout.Trim()));
        no = await _kubectl.TryRunAsync("--kubeconfig", robot, "auth", "can-i", "get", "deployments", "-n", ns);
        Assert.Equal((1, "no"), (no.ExitCode, no.Stdout.Trim()));

        // The admin asks on the service account's behalf, by impersonation.
        Assert.Equal("yes", (await _kubectl.RunAsync("--kubeconfig", Kubeconfig(null), "auth", "can-i", "update", "leases.coordination.k8s.io", "-n", ns, "--as", $"system:serviceaccount:{ns}:robot")).Trim());
        no = await _kubectl.TryRunAsync("--kubeconfig", Kubeconfig(null), "auth", "can-i", "list", "pods", "-n", ns, "--as", $"system:serviceaccount:{ns}:robot");
        Assert.Equal((1, "no"), (no.ExitCode, no.Stdout.Trim()));
        Assert.Equal("yes", (await _kubectl.RunAsync("auth", "can-i", "delete", "nodes")).Trim());
    }

    [Fact]
    public async Task Auth_can_i_list_prints_the_rules_of_the_role_and_cluster_role_bindings()
    {
        var (ns, robot) = await RobotAsync();
        await GrantClusterAsync(_fixture.Client, $"{ns}-nodes", ServiceAccount(ns, "robot"), Rule("", "nodes", "get", "list"),
            new V1PolicyRule { NonResourceURLs = ["/metrics"], Verbs = ["get"] });

        var list = await _kubectl.RunAsync("--kubeconfig", robot, "auth", "can-i", "--list", "-n", ns);
        var rows = Rows(list);
        Assert.Equal(["Resources", "Non-Resource", "URLs", "Resource", "Names", "Verbs"], rows[0]);
        Assert.Contains(["leases.coordination.k8s.io", "[]", "[]", "[get", "list", "watch", "create", "update]"], rows);
        Assert.Contains(["deployments.apps/scale", "[]", "[]", "[get]"], rows);
        Assert.Contains(["nodes", "[]", "[]", "[get", "list]"], rows);
        Assert.Contains(["selfsubjectrulesreviews.authorization.k8s.io", "[]", "[]", "[create]"], rows);
        Assert.Contains(["[/metrics]", "[]", "[get]"], rows);
        Assert.DoesNotContain(rows, row => row[0] is "pods" or "*.*");

        // The admin lists the service account's rules by impersonation, and its own: cluster-admin's.
        Assert.Equal(list, await _kubectl.RunAsync("--kubeconfig", Kubeconfig(null), "auth", "can-i", "--list", "-n", ns, "--as", $"system:serviceaccount:{ns}:robot"));
        Assert.Contains(["*.*", "[]", "[]", "[*]"], Rows(await _kubectl.RunAsync("auth", "can-i", "--list", "-n", ns)));
    }

    [Fact]
    public async Task Auth_can_i_list_with_a_binding_to_a_missing_role_lists_the_other_rules_without_a_warning()
    {
        var (ns, robot) = await RobotAsync();
        await _fixture.Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "dangling" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = "gone" },
            Subjects = [ServiceAccount(ns, "robot")],
        }, ns);

        // The review carries the error but is not incomplete (RBAC never says so), so kubectl warns of nothing,
        // as against a real server, and lists the rules the other bindings grant.
        var result = await _kubectl.TryRunAsync("--kubeconfig", robot, "auth", "can-i", "--list", "-n", ns);
        Assert.Equal((0, ""), (result.ExitCode, result.Stderr.Trim()));
        Assert.Contains(["leases.coordination.k8s.io", "[]", "[]", "[get", "list", "watch", "create", "update]"], Rows(result.Stdout));
    }

    private static List<string[]> Rows(string table) =>
        [.. table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))];

    [Fact]
    public async Task A_refused_command_prints_the_servers_forbidden_message()
    {
        var (ns, robot) = await RobotAsync();
        var result = await _kubectl.TryRunAsync("--kubeconfig", robot, "get", "pods", "-n", ns);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(
            $"Error from server (Forbidden): pods is forbidden: User \"system:serviceaccount:{ns}:robot\" cannot list resource \"pods\" in API group \"\" in the namespace \"{ns}\"",
            result.Stderr);

        result = await _kubectl.TryRunAsync("--kubeconfig", robot, "create", "configmap", "settings", "-n", ns, "--from-literal=a=b");
        Assert.Contains($"configmaps is forbidden: User \"system:serviceaccount:{ns}:robot\" cannot create resource \"configmaps\" in API group \"\" in the namespace \"{ns}\"", result.Stderr);

        Assert.Contains("lease.coordination.k8s.io/lock created", await _kubectl.RunAsync("--kubeconfig", robot, "create", "-n", ns, "-f", _fixture.WriteFile("lease.yaml", """
            apiVersion: coordination.k8s.io/v1
            kind: Lease
            metadata:
              name: lock
            spec:
              holderIdentity: kubectl
            """)));
    }

    [Fact]
    public async Task Auth_whoami_names_the_service_account_and_its_groups()
    {
        var (ns, robot) = await RobotAsync();
        var whoami = await _kubectl.RunAsync("--kubeconfig", robot, "auth", "whoami", "-o", "json");
        var review = k8s.KubernetesJson.Deserialize<V1SelfSubjectReview>(whoami);
        Assert.Equal($"system:serviceaccount:{ns}:robot", review.Status.UserInfo.Username);
        Assert.Equal(["system:serviceaccounts", $"system:serviceaccounts:{ns}", "system:authenticated"], review.Status.UserInfo.Groups);
        Assert.Contains("kubernetes-admin", await _kubectl.RunAsync("auth", "whoami"));
    }

    [Fact]
    public async Task An_unknown_token_is_unauthorized()
    {
        var kubeconfig = _fixture.WriteFile("kubeconfig", System.Text.RegularExpressions.Regex.Replace(_fixture.Cluster.CreateKubeconfig(null), "token: [^}]+", "token: made-up"));
        var result = await _kubectl.TryRunAsync("--kubeconfig", kubeconfig, "get", "namespaces");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("You must be logged in to the server", result.Stderr);
    }
}
