using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace RoostKeeper.Ha.TestUtilities;

/// <summary>
/// Runs scripts with the official Python client (Debian's python3-kubernetes) against a <see cref="KubectlCluster"/>.
/// Debian's /usr/bin/python3 is used on purpose: a pyenv python3 earlier on PATH does not see Debian's packages.
/// A missing client fails the tests, saying how to install it.
/// </summary>
public sealed class PythonClient
{
    private const string Prelude = """
        import json, sys
        import kubernetes
        from kubernetes import client, config, watch
        from kubernetes.client.rest import ApiException
        config.load_kube_config(config_file=sys.argv[1])
        ns = sys.argv[2]
        core = client.CoreV1Api()
        def out(value):
            print(json.dumps(value), flush=True)

        """;

    private static readonly Lazy<(string Path, string Version)> Found = new(Find);

    private readonly KubectlCluster _cluster;
    private readonly ITestOutputHelper _output;

    public PythonClient(KubectlCluster cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _output = output;
        _output.WriteLine($"python kubernetes client {Found.Value.Version} with {Found.Value.Path}, server {cluster.Cluster.BaseAddress}");
    }

    /// <summary>Runs <paramref name="script"/> (after a prelude that defines <c>core</c>, <c>ns</c> and <c>out</c>) and returns each line it printed with <c>out</c>.</summary>
    public async Task<IReadOnlyList<JsonNode?>> RunAsync(string ns, string script)
    {
        var path = _cluster.WriteFile("script.py", Prelude + script);
        var result = await ExternalProcess.RunAsync(Found.Value.Path, [path, _cluster.KubeconfigPath, ns]);
        _output.WriteLine(script);
        _output.WriteLine(result.ToString());
        Assert.True(result.ExitCode == 0, $"the Python script failed:\n{result}");
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonNode.Parse(line)).ToList();
    }

    private static (string, string) Find()
    {
        var python = Environment.GetEnvironmentVariable("ROOSTHA_PYTHON") is { Length: > 0 } configured ? configured : "/usr/bin/python3";
        if (File.Exists(python))
        {
            var result = ExternalProcess.RunAsync(python, ["-c", "import kubernetes; print(kubernetes.__version__)"]).GetAwaiter().GetResult();
            if (result.ExitCode == 0)
            {
                return (python, result.Stdout.Trim());
            }
        }

        throw new InvalidOperationException(
            $"The official Python client is not importable by {python}: install Debian's package (apt-get install -y python3-kubernetes), "
            + "or point ROOSTHA_PYTHON at a python3 that has the kubernetes package.");
    }
}
