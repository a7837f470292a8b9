using System.Diagnostics;
using System.Text;

namespace RoostKeeper.Ha.TestUtilities;

/// <summary>Runs the real client binaries (kubectl, python3) the way a user would, with a generous time limit.</summary>
public static class ExternalProcess
{
    /// <summary>Generous: the machine is shared and slow; a hang fails the test instead of stalling the run.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    public static async Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> arguments, IDictionary<string, string>? environment = null, string? stdin = null, TimeSpan? timeout = null)
    {
        using var process = Start(fileName, arguments, environment, redirectStdin: stdin is not null);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        using var cts = new CancellationTokenSource(timeout ?? Patience);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{CommandLine(fileName, arguments)} did not finish within {(timeout ?? Patience).TotalSeconds} s.\nstdout so far:\n{await stdout}\nstderr so far:\n{await stderr}");
        }

        return new ProcessResult(CommandLine(fileName, arguments), process.ExitCode, await stdout, await stderr);
    }

    public static Process Start(string fileName, IEnumerable<string> arguments, IDictionary<string, string>? environment = null, bool redirectStdin = false)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectStdin,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
    }

    public static string CommandLine(string fileName, IEnumerable<string> arguments) =>
        string.Join(' ', new[] { fileName }.Concat(arguments.Select(a => a.Contains(' ') || a.Contains('{') ? $"'{a}'" : a)));
}
