using k8s;
using k8s.Models;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.TestUtilities;

/// <summary>
/// One SimulatedCluster per test class for the real-client tests, with a kubeconfig file for its loopback
/// address; each test works in a namespace of its own, so tests of a class cannot see each other's objects.
/// </summary>
public class KubectlCluster : IAsyncLifetime
{
    private readonly bool _enableRbac;
    private string? _directory;

    public KubectlCluster()
        : this(enableRbac: false)
    {
    }

    /// <summary>For a fixture whose cluster authorizes with RBAC (<see cref="SimulatedClusterOptions.EnableRbac"/>).</summary>
    protected KubectlCluster(bool enableRbac) => _enableRbac = enableRbac;

    public SimulatedCluster Cluster { get; private set; } = null!;

    public IKubernetes Client { get; private set; } = null!;

    public string KubeconfigPath { get; private set; } = null!;

    public string Directory => _directory!;

    public async Task InitializeAsync()
    {
        Cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { PodStartupDelay = TimeSpan.FromMilliseconds(50), EnableRbac = _enableRbac });
        Client = Cluster.CreateClient("test");
        _directory = System.IO.Directory.CreateTempSubdirectory("roostha-clients-").FullName;
        KubeconfigPath = Path.Combine(_directory, "kubeconfig");
        await File.WriteAllTextAsync(KubeconfigPath, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: simulated
              cluster:
                server: {Cluster.BaseAddress.ToString().TrimEnd('/')}
            users:
            - name: simulated
              user: {"{}"}
            contexts:
            - name: simulated
              context:
                cluster: simulated
                user: simulated
            current-context: simulated
            """);
    }

    public async Task<string> NewNamespaceAsync(string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 9, 63)];
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        return name;
    }

    /// <summary>Writes <paramref name="text"/> to a file in this fixture's directory and returns its path.</summary>
    public string WriteFile(string name, string text)
    {
        var path = Path.Combine(Directory, $"{Guid.NewGuid():N}-{name}");
        File.WriteAllText(path, text);
        return path;
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        if (_directory is not null)
        {
            System.IO.Directory.Delete(_directory, recursive: true);
        }
    }
}
