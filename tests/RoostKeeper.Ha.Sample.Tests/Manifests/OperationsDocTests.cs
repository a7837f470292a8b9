using System.Text.RegularExpressions;
using k8s.Models;

namespace RoostKeeper.Ha.Sample.Tests.Manifests;

/// <summary>
/// docs/operations.md's commands work against the sample: the Deployment, namespace and Lease they name are the
/// manifests', and it has a procedure for each of deploy, verify, monitor, back up and restore, roll out and back.
/// (Its runbook anchors: PrometheusRulesTests.)
/// </summary>
public sealed partial class OperationsDocTests
{
    private static readonly string Doc = File.ReadAllText(SampleManifests.OperationsDoc);

    [Fact]
    public void Commands_name_the_sample_deployment_namespace_and_lease()
    {
        var deployment = SampleManifests.Single<V1Deployment>();
        var ns = SampleManifests.Single<V1Namespace>().Metadata.Name;
        var lease = Assert.Single(deployment.Spec.Template.Spec.Containers.Single(c => c.Name == "manager").Args, a => a.StartsWith("--RoostHa:LeaseName=", StringComparison.Ordinal)).Split('=')[1];

        var deployments = DeploymentReference().Matches(Doc).Select(m => m.Groups[1].Value).ToList();
        var namespaces = NamespaceFlag().Matches(Doc).Select(m => m.Groups[1].Value).ToList();
        var leases = LeaseReference().Matches(Doc).Select(m => m.Groups[1].Value).ToList();

        Assert.NotEmpty(deployments);
        Assert.All(deployments, d => Assert.Equal(deployment.Metadata.Name, d));
        Assert.NotEmpty(namespaces);
        Assert.All(namespaces, n => Assert.Equal(ns, n));
        Assert.NotEmpty(leases);
        Assert.All(leases, l => Assert.Equal(lease, l));
    }

    [Theory]
    [InlineData("deploy", "kubectl apply -k samples/RoostKeeper.Ha.Sample/config/ha")]
    [InlineData("verify", "kubectl rollout status deployment/")]
    [InlineData("monitor", "roost-keeper-dashboard.json")]
    [InlineData("back-up-and-restore", "-X POST -H \"Authorization: Bearer $TOKEN\" \"$API/backup\"")]
    [InlineData("back-up-and-restore", "\"$API/backups\"")]
    [InlineData("back-up-and-restore", "\"$API/restore/$ID\"")]
    [InlineData("roll-out-and-roll-back", "kubectl rollout undo deployment/")]
    [InlineData("roll-out-and-roll-back", "\"$API/updates\"")]
    public void Each_procedure_has_its_section_and_commands(string section, string command)
    {
        var sections = Section().Split(Doc).Skip(1).Chunk(2).ToDictionary(c => PrometheusRulesTests.Slug(c[0]), c => c[1]);
        Assert.True(sections.TryGetValue(section, out var body), $"docs/operations.md has no '## ' section with anchor #{section}");
        Assert.Contains(command, body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RoostKeeperNoActiveLeader", "roostkeepernoactiveleader")]
    [InlineData("Back up and restore", "back-up-and-restore")]
    [InlineData("Operations: deploy, verify", "operations-deploy-verify")]
    public void Anchors_are_githubs_heading_slugs(string heading, string anchor)
    {
        Assert.Equal(anchor, PrometheusRulesTests.Slug(heading));
    }

    [GeneratedRegex(@"deployment/([a-z0-9-]+)")]
    private static partial Regex DeploymentReference();

    [GeneratedRegex(@" -n ([a-z0-9-]+)")]
    private static partial Regex NamespaceFlag();

    [GeneratedRegex(@"get lease ([a-z0-9-]+)")]
    private static partial Regex LeaseReference();

    [GeneratedRegex(@"^## +(.+)$", RegexOptions.Multiline)]
    private static partial Regex Section();
}
