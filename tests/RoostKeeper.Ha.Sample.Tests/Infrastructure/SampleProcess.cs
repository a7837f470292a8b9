using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace RoostKeeper.Ha.Sample.Tests.Infrastructure;

/// <summary>The sample run as a user runs it: its own build output, `dotnet RoostKeeper.Ha.Sample.dll ...`, as a separate process.</summary>
internal sealed class SampleProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private SampleProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public static SampleProcess Start(IEnumerable<string> args)
    {
        var configuration = typeof(SampleProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var dll = Path.Combine(RepositoryRoot.Path, "samples", "RoostKeeper.Ha.Sample", "bin", configuration, "net10.0", "RoostKeeper.Ha.Sample.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing; build the solution first.");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (OperatingSystem.IsLinux())
        {
            // A test run started in the background of a non-interactive shell (`bash .ci/run &`) inherits SIGINT
            // ignored, the child would too, and .NET keeps a signal ignored at start-up ignored: Ctrl+C could never
            // reach the sample. GNU env resets it to the default before it execs dotnet (same pid).
            start.FileName = "env";
            start.ArgumentList.Add("--default-signal=INT");
            start.ArgumentList.Add("dotnet");
        }

        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Never mistake the test machine for a pod.
        start.Environment.Remove("KUBERNETES_SERVICE_HOST");
        return new SampleProcess(Process.Start(start)!);
    }

    /// <summary>Sends SIGINT, as Ctrl+C does.</summary>
    public void Interrupt()
    {
        using var kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public async Task<int> WaitForExitAsync(TimeSpan patience)
    {
        using var timeout = new CancellationTokenSource(patience);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The sample did not finish within {patience}; output so far:\n{Output}");
        }

        // WaitForExit without a timeout also waits for the redirected streams to be drained.
        await _process.WaitForExitAsync(CancellationToken.None);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
