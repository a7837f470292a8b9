using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Xml.Linq;

namespace RoostKeeper.Ha.Tests.Packaging;

/// <summary>
/// Packs src/RoostKeeper.Ha with <c>dotnet pack -c Release</c> into a temporary folder once for the test
/// class, and exposes the entries and the .nuspec of the produced .nupkg.
/// </summary>
public sealed class PackedCorePackage : IAsyncLifetime
{
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(5);

    private readonly string _output = Path.Combine(Path.GetTempPath(), $"roostha-pack-{Guid.NewGuid():N}");

    /// <summary>The paths of the files in the package, with '/' separators.</summary>
    public IReadOnlyList<string> Entries { get; private set; } = [];

    /// <summary>The .nuspec NuGet wrote into the package.</summary>
    public XDocument Nuspec { get; private set; } = new();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_output);
        await PackAsync();
        var nupkg = Directory.GetFiles(_output, "RoostKeeper.Ha.*.nupkg").Where(f => !f.EndsWith(".symbols.nupkg", StringComparison.Ordinal)).ToList();
        Assert.True(nupkg.Count == 1, $"expected one RoostKeeper.Ha .nupkg in {_output}, found: {string.Join(", ", Directory.GetFiles(_output))}");

        using var archive = ZipFile.OpenRead(nupkg[0]);
        Entries = [.. archive.Entries.Select(e => e.FullName)];
        var nuspecEntry = archive.Entries.Single(e => !e.FullName.Contains('/', StringComparison.Ordinal) && e.FullName.EndsWith(".nuspec", StringComparison.OrdinalIgnoreCase));
        await using var stream = nuspecEntry.Open();
        Nuspec = await XDocument.LoadAsync(stream, LoadOptions.None, CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(_output, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }

        return Task.CompletedTask;
    }

    private async Task PackAsync()
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = RepositoryLayout.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "pack", RepositoryLayout.CoreProject, "-c", "Release", "-o", _output, "--nologo",
                     // No MSBuild or compiler server may outlive the command: they would inherit its output pipes.
                     "-nodeReuse:false", "-p:UseSharedCompilation=false", "-p:NuGetAudit=false", "-tl:off",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        // `dotnet test` runs this test inside an MSBuild invocation, whose variables would steer the nested build.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";

        using var packLock = await PackLock.AcquireAsync(RepositoryLayout.Root);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet pack did not start.");
        var log = new StringBuilder();
        var stdout = PumpAsync(process.StandardOutput, log);
        var stderr = PumpAsync(process.StandardError, log);
        using var timeout = new CancellationTokenSource(PackTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet pack did not finish within {PackTimeout}:\n{log}");
        }

        await Task.WhenAll(stdout, stderr);
        Assert.True(process.ExitCode == 0, $"dotnet pack exited with {process.ExitCode}:\n{log}");
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
