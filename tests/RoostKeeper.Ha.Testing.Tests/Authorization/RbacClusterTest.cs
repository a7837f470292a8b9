using k8s;
using k8s.Models;

namespace RoostKeeper.Ha.Testing.Tests.Authorization;

/// <summary>
/// The arrangement of the RBAC tests that talk to the API themselves: a SimulatedCluster of their own with
/// <c>EnableRbac</c> (no controllers), its admin client and a fresh namespace; at the end the cluster must have
/// logged no server error.
/// </summary>
public abstract class RbacClusterTest(string prefix) : IAsyncLifetime
{
    protected SimulatedCluster Cluster { get; private set; } = null!;

    protected IKubernetes Admin { get; private set; } = null!;

    /// <summary>The test's namespace: the prefix and a random suffix.</summary>
    protected string Ns { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { EnableRbac = true, RunControllers = false });
        Admin = Cluster.CreateClient("admin");
        Ns = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        await Admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Ns } });
    }

    public async Task DisposeAsync()
    {
        Assert.Empty(Cluster.Errors);
        await Cluster.DisposeAsync();
    }
}
