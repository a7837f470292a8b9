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
