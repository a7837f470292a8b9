using System.Diagnostics;
using System.Reflection;

namespace RoostKeeper.Ha.Processes;

/// <summary>
/// How to start a .NET program (an assembly of this build) as a child process from wherever the parent runs:
/// from the program's own output folder (<c>dotnet run</c>, <c>dotnet Program.dll</c>), or referenced by another
/// project such as a test project (the runtimeconfig and deps files are then that project's). Shared source:
/// the sample's walk-through starts the sample itself this way, the process chaos runner its replica processes.
/// </summary>
internal static class DotnetCommand
{
    /// <summary>
    /// A start for <c>dotnet [exec --runtimeconfig ... --depsfile ...] assembly.dll</c>, or for this process's own
    /// executable when it is the program's apphost; add the program's arguments to it.
    /// </summary>
    /// <exception cref="InvalidOperationException">No runtimeconfig.json next to the assembly: it cannot be started.</exception>
    public static ProcessStartInfo For(Assembly assembly)
    {
        var dll = assembly.Location;
        var own = Path.ChangeExtension(dll, ".runtimeconfig.json");
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == assembly.GetName().Name && File.Exists(own))
        {
            // This process is the program's own apphost (dotnet run starts it that way): start it again, no dotnet needed.
            return new ProcessStartInfo(self);
        }

        // The host that runs this process (dotnet run and dotnet test set DOTNET_HOST_PATH), else the one on PATH.
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
            : Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path
            : "dotnet";
        var start = new ProcessStartInfo(dotnet);
        if (!File.Exists(own))
        {
            // Referenced from another project: run with that project's runtime configuration and dependencies.
            var folder = Path.GetDirectoryName(dll)!;
            var config = Directory.GetFiles(folder, "*.runtimeconfig.json").FirstOrDefault()
                ?? throw new InvalidOperationException($"No runtimeconfig.json next to {dll}: cannot start it as a process.");
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
