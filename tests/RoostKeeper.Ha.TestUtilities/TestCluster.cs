using k8s;
using k8s.Models;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.TestUtilities;

/// <summary>
/// The cluster a test runs against: a fresh <see cref="SimulatedCluster"/>, or the real cluster named by
/// ROOSTHA_TEST_KUBECONFIG. Each test works in namespaces of its own (removed at the end on a real
/// cluster), so the same test passes on both.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    public const string KubeconfigVariable = "ROOSTHA_TEST_KUBECONFIG";

    private readonly List<string> _namespaces = [];
    private readonly List<IKubernetes> _clients = [];

    private TestCluster(SimulatedCluster? simulated) => Simulated = simulated;

    /// <summary>The real cluster's kubeconfig path, or null when tests run on the simulation.</summary>
    public static string? RealKubeconfig =>
        Environment.GetEnvironmentVariable(KubeconfigVariable) is { Length: > 0 } path ? path : null;

    /// <summary>The simulation, or null on a real cluster.</summary>
    public SimulatedCluster? Simulated { get; }

    public bool IsSimulated => Simulated is not null;

    /// <summary>The simulation, for tests that are marked <see cref="SimulatedOnlyFactAttribute"/>.</summary>
    public SimulatedCluster Simulation => Simulated ?? throw new InvalidOperationException("This test needs the SimulatedCluster; it must be marked [SimulatedOnlyFact].");

    public static async Task<TestCluster> StartAsync(SimulatedClusterOptions? options = null) =>
        RealKubeconfig is null ? new TestCluster(await SimulatedCluster.StartAsync(options)) : new TestCluster(null);

    public IKubernetes CreateClient(string name = "test")
    {
        if (Simulated is not null)
        {
            return Simulated.CreateClient(name);
        }

        var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(RealKubeconfig));
        _clients.Add(client);
        return client;
    }

    /// <summary>Creates a namespace with a unique name for this test and returns the name.</summary>
    public async Task<string> CreateNamespaceAsync(string prefix = "roostha-test")
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 63)];
        var client = CreateClient("namespace-admin");
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        _namespaces.Add(name);
        return name;
    }

    public async ValueTask DisposeAsync()
    {
        if (Simulated is not null)
        {
            await Simulated.DisposeAsync();
            return;
        }

        var client = CreateClient("namespace-admin");
        foreach (var ns in _namespaces)
        {
            try
            {
                await client.CoreV1.DeleteNamespaceAsync(ns);
            }
            catch (k8s.Autorest.HttpOperationException)
            {
                // Best effort on a real cluster: the namespace may already be terminating.
            }
        }

        foreach (var c in _clients)
        {
            c.Dispose();
        }
    }
}
