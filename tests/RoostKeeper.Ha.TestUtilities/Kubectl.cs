using Xunit.Abstractions;

namespace RoostKeeper.Ha.TestUtilities;

/// <summary>Runs the real kubectl against a <see cref="KubectlCluster"/> and logs every command and its output to the test.</summary>
public sealed class Kubectl
{
    private readonly KubectlCluster _cluster;
    private readonly ITestOutputHelper _output;

    public Kubectl(KubectlCluster cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _output = output;
        _output.WriteLine($"kubectl {KubectlBinary.Version} at {KubectlBinary.Path}, server {cluster.Cluster.BaseAddress}");
    }

    private Dictionary<string, string> Environment => new()
    {
        ["KUBECONFIG"] = _cluster.KubeconfigPath,
        ["KUBECTL_INTERACTIVE_DELETE"] = "false",
        ["HOME"] = _cluster.Directory, // no user cache of discovery or OpenAPI from another server on this port
    };

    /// <summary>Runs kubectl and returns what it printed, whatever its exit code.</summary>
    public async Task<ProcessResult> TryRunAsync(params string[] arguments)
    {
        var result = await ExternalProcess.RunAsync(KubectlBinary.Path, arguments, Environment);
        _output.WriteLine(result.ToString());
        return result;
    }

    /// <summary>Runs kubectl, fails the test (with kubectl's output) unless it exits 0, and returns its stdout.</summary>
    public async Task<string> RunAsync(params string[] arguments)
    {
        var result = await TryRunAsync(arguments);
        Assert.True(result.ExitCode == 0, $"kubectl failed:\n{result}");
        return result.Stdout;
    }

    /// <summary>Runs <c>kubectl edit</c> with an editor that applies <paramref name="sedExpression"/> to the object, and returns its stdout.</summary>
    public async Task<string> EditAsync(string sedExpression, params string[] arguments)
    {
        var environment = Environment;
        environment["EDITOR"] = $"sed -i {sedExpression}";
        var result = await ExternalProcess.RunAsync(KubectlBinary.Path, ["edit", .. arguments], environment);
        _output.WriteLine(result.ToString());
        Assert.True(result.ExitCode == 0, $"kubectl edit failed:\n{result}");
        return result.Stdout;
    }

    /// <summary>Starts a kubectl that keeps running (e.g. <c>get -w</c>); the caller kills it.</summary>
    public System.Diagnostics.Process Start(params string[] arguments)
    {
        _output.WriteLine("$ " + ExternalProcess.CommandLine(KubectlBinary.Path, arguments) + " &");
        return ExternalProcess.Start(KubectlBinary.Path, arguments, Environment);
    }
}
