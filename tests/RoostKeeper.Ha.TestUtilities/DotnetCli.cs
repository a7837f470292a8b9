using System.Diagnostics;
using System.Text;

namespace RoostKeeper.Ha.TestUtilities;

/// <summary>
/// Runs the dotnet CLI (<c>pack</c>, <c>restore</c>, <c>msbuild</c>) in the repository root the way a developer
/// would, from inside a test: without the MSBuild variables of the <c>dotnet test</c> run, and with no build or
/// compiler server left behind. Packs take <see cref="PackLock"/> first.
/// </summary>
public static class DotnetCli
{
    /// <summary>Generous: a Release pack of a project and its dependencies on a shared, loaded machine.</summary>
    public static readonly TimeSpan DefaultPatience = TimeSpan.FromMinutes(8);

    /// <summary>Runs <c>dotnet <paramref name="arguments"/></c> and returns its exit code and its output (stdout and stderr, in order).</summary>
    public static async Task<(int ExitCode, string Log)> RunAsync(IEnumerable<string> arguments, TimeSpan? patience = null)
    {
        var limit = patience ?? DefaultPatience;
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // No MSBuild or compiler server may outlive the command: they would inherit its output pipes.
        var all = arguments.ToList();
        foreach (var argument in all.Concat(["--nologo", "-nodeReuse:false", "-p:UseSharedCompilation=false", "-p:NuGetAudit=false", "-tl:off"]))
        {
            start.ArgumentList.Add(argument);
        }

        // `dotnet test` runs the test inside an MSBuild invocation, whose variables would steer the nested build.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var log = new StringBuilder();
        var stdout = PumpAsync(process.StandardOutput, log);
        var stderr = PumpAsync(process.StandardError, log);
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', all)} did not finish within {limit}:\n{log}");
        }

        await Task.WhenAll(stdout, stderr);
        return (process.ExitCode, log.ToString());
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder log)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (log)
            {
                log.AppendLine(line);
            }
        }
    }
}
