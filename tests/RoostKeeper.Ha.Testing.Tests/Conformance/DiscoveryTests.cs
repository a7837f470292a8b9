using k8s;

namespace RoostKeeper.Ha.Testing.Tests.Conformance;

/// <summary>/version, /api, /apis and the per-group resource lists, through KubernetesClient.</summary>
public sealed class DiscoveryTests
{
    [Fact]
    public async Task Version_reports_a_Kubernetes_version()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();

        var version = await client.Version.GetCodeAsync();

        Assert.Equal("1", version.Major);
        Assert.False(string.IsNullOrEmpty(version.Minor));
        Assert.StartsWith("v1.", version.GitVersion, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Core_and_group_discovery_list_the_served_APIs()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();

        var core = await client.Core.GetAPIVersionsAsync();
        Assert.Contains("v1", core.Versions);

        var groups = await client.Apis.GetAPIVersionsAsync();
        var names = groups.Groups.Select(g => g.Name).ToList();
        Assert.Contains("apps", names);
        Assert.Contains("coordination.k8s.io", names);
        Assert.Contains("discovery.k8s.io", names);
        Assert.Contains("admissionregistration.k8s.io", names);
        Assert.Contains("apiextensions.k8s.io", names);
        Assert.Equal("apps/v1", groups.Groups.Single(g => g.Name == "apps").PreferredVersion.GroupVersion);
    }

    [Fact]
    public async Task Resource_lists_say_which_resources_are_namespaced_and_which_have_status()
    {
        await using var cluster = await TestCluster.StartAsync();
        var client = cluster.CreateClient();

        var core = await client.CoreV1.GetAPIResourcesAsync();
        Assert.Equal("v1", core.GroupVersion);
        Assert.False(core.Resources.Single(r => r.Name == "namespaces").Namespaced);
        Assert.True(core.Resources.Single(r => r.Name == "configmaps").Namespaced);
        Assert.Equal("ConfigMap", core.Resources.Single(r => r.Name == "configmaps").Kind);

        var apps = await client.AppsV1.GetAPIResourcesAsync();
        Assert.Equal("apps/v1", apps.GroupVersion);
        Assert.Contains(apps.Resources, r => r.Name == "deployments" && r.Namespaced && r.Verbs.Contains("watch"));
        Assert.Contains(apps.Resources, r => r.Name == "deployments/status");

        var coordination = await client.CoordinationV1.GetAPIResourcesAsync();
        Assert.Contains(coordination.Resources, r => r.Name == "leases" && r.Kind == "Lease");

        var webhooks = await client.AdmissionregistrationV1.GetAPIResourcesAsync();
        Assert.False(webhooks.Resources.Single(r => r.Name == "validatingwebhookconfigurations").Namespaced);
    }
}
