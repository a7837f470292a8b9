using System.Diagnostics;

namespace RoostKeeper.Ha.Docs.Tests.Commands;

/// <summary>
/// Runs a shell script with a PATH of stubs only: a folder holding the few real utilities scripts need (bash, grep,
/// ...) and stand-ins for the tools, so a test decides which tools "are installed" and records what apt-get was
/// asked to do. Nothing on the machine is installed or changed.
/// </summary>
internal sealed class StubbedShell : IDisposable
{
    private static readonly string[] RealUtilities = ["bash", "env", "dirname", "grep", "head", "ls", "rm", "mkdir", "cat", "touch"];

    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    public StubbedShell()
    {
        Folder = Directory.CreateTempSubdirectory("roostha-shell-").FullName;
        Bin = Directory.CreateDirectory(Path.Combine(Folder, "bin")).FullName;
        foreach (var utility in RealUtilities)
        {
            var real = new[] { "/usr/bin", "/bin" }.Select(d => Path.Combine(d, utility)).First(File.Exists);
            File.CreateSymbolicLink(Path.Combine(Bin, utility), real);
        }
    }

    /// <summary>A scratch folder, deleted at the end.</summary>
    public string Folder { get; }

    /// <summary>The only folder on PATH.</summary>
    public string Bin { get; }

    /// <summary>What the stubs recorded (one line per call), in <see cref="Folder"/>/calls.log.</summary>
    public IReadOnlyList<string> Calls => File.Exists(CallLog) ? File.ReadAllLines(CallLog) : [];

    private string CallLog => Path.Combine(Folder, "calls.log");

    /// <summary>Puts an executable bash script called <paramref name="name"/> on PATH.</summary>
    public string Stub(string name, string body = "exit 0")
    {
        var path = Path.Combine(Bin, name);
        File.WriteAllText(path, $"#!/bin/bash\nlog='{CallLog}'\nbin='{Bin}'\n{body}\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    /// <summary>Runs <paramref name="script"/> (a file) with bash and the stub PATH; stderr is merged into stdout in order.</summary>
    public (int ExitCode, string Output) Run(string script, IReadOnlyDictionary<string, string>? environment = null, params string[] arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(Bin, "bash"))
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
            WorkingDirectory = Folder,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec 2>&1; exec bash \"$0\" \"$@\"");
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        start.Environment["PATH"] = Bin;
        start.Environment["HOME"] = Folder;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(Patience))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} did not finish within {Patience}");
        }

        return (process.ExitCode, output.GetAwaiter().GetResult());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
