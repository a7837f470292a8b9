using System.Diagnostics;

namespace RoostKeeper.Ha.ProcessChaos.Fleet;

/// <summary>
/// How to start this program in replica mode from wherever the runner runs: from its own output folder
/// (dotnet run, the campaign) or referenced by a test project (the runtimeconfig is then the test's).
/// </summary>
internal static class ReplicaCommand
{
    public static ProcessStartInfo Create()
    {
        var dll = typeof(ReplicaCommand).Assembly.Location;
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
            : Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path
            : "dotnet";
        var start = new ProcessStartInfo(dotnet);
        var own = Path.ChangeExtension(dll, ".runtimeconfig.json");
        if (!File.Exists(own))
        {
            // Referenced from another project: run with that project's runtime configuration and dependencies.
            var folder = Path.GetDirectoryName(dll)!;
            var config = Directory.GetFiles(folder, "*.runtimeconfig.json").FirstOrDefault()
                ?? throw new InvalidOperationException($"No runtimeconfig.json next to {dll}: cannot start replica processes.");
            start.ArgumentList.Add("exec");
            start.ArgumentList.Add("--runtimeconfig");
            start.ArgumentList.Add(config);
            var deps = Path.ChangeExtension(config.Replace(".runtimeconfig.json", ".json", StringComparison.Ordinal), ".deps.json");
            if (File.Exists(deps))
            {
                start.ArgumentList.Add("--depsfile");
                start.ArgumentList.Add(deps);
            }
        }

        start.ArgumentList.Add(dll);
        return start;
    }
}
