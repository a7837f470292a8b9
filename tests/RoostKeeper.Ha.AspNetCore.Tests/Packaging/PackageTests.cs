using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Xml.Linq;
using RoostKeeper.Ha.Tests.Packaging;

namespace RoostKeeper.Ha.AspNetCore.Tests.Packaging;

/// <summary>
/// Packs src/RoostKeeper.Ha.AspNetCore as .ci/run does (<c>dotnet pack -c Release --no-build</c>, on the
/// build the test run uses) and checks what a consumer gets: both frameworks with their documentation, the
/// readme, the ASP.NET Core framework reference, and RoostKeeper.Ha at exactly the same version.
/// </summary>
public sealed class PackageTests
{
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task The_package_holds_both_frameworks_and_depends_on_the_core_package_at_its_own_version()
    {
        var root = RepositoryRoot();
        var output = Directory.CreateTempSubdirectory("roostha-aspnet-pack-");
        try
        {
            await PackAsync(root, output.FullName);
            var nupkg = Assert.Single(Directory.GetFiles(output.FullName, "RoostKeeper.Ha.AspNetCore.*.nupkg"), f => !f.EndsWith(".symbols.nupkg", StringComparison.Ordinal));
            using var archive = ZipFile.OpenRead(nupkg);
            var entries = archive.Entries.Select(e => e.FullName).ToList();
            foreach (var framework in new[] { "net8.0", "net10.0" })
            {
                Assert.Contains($"lib/{framework}/RoostKeeper.Ha.AspNetCore.dll", entries);
                Assert.Contains($"lib/{framework}/RoostKeeper.Ha.AspNetCore.xml", entries);
            }

            Assert.Contains("README.md", entries);
            await using var stream = archive.Entries.Single(e => e.FullName == "RoostKeeper.Ha.AspNetCore.nuspec").Open();
            var nuspec = await XDocument.LoadAsync(stream, LoadOptions.None, CancellationToken.None);
            var version = Elements(XDocument.Load(Path.Combine(root, "Directory.Build.props")), "Version").Single().Value;

            var dependencies = Elements(nuspec, "dependency").Select(d => $"{d.Parent!.Attribute("targetFramework")!.Value}: {d.Attribute("id")!.Value} {d.Attribute("version")!.Value}").Order(StringComparer.Ordinal);
            Assert.Equal([$"net10.0: RoostKeeper.Ha {version}", $"net8.0: RoostKeeper.Ha {version}"], dependencies);
            Assert.Equal(["Microsoft.AspNetCore.App", "Microsoft.AspNetCore.App"], Elements(nuspec, "frameworkReference").Select(f => f.Attribute("name")!.Value));
            Assert.Equal("MIT", Elements(nuspec, "license").Single().Value);
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    private static IEnumerable<XElement> Elements(XDocument document, string localName) =>
        document.Descendants().Where(e => e.Name.LocalName == localName);

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "RoostKeeper.Ha.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No RoostKeeper.Ha.sln above {AppContext.BaseDirectory}.");
    }

    private static async Task PackAsync(string root, string output)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "pack", Path.Combine(root, "src", "RoostKeeper.Ha.AspNetCore", "RoostKeeper.Ha.AspNetCore.csproj"),
                     "-c", "Release", "-o", output, "--nologo",
                     // No MSBuild or compiler server may outlive the command: they would inherit its output pipes.
                     "-nodeReuse:false", "-p:UseSharedCompilation=false", "-p:NuGetAudit=false", "-tl:off",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        // `dotnet test` runs this test inside an MSBuild invocation, whose variables would steer the nested one.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var packLock = await PackLock.AcquireAsync(root);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet pack did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(PackTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet pack did not finish within {PackTimeout}.");
        }

        var log = new StringBuilder().Append(await stdout).Append(await stderr).ToString();
        Assert.True(process.ExitCode == 0, $"dotnet pack exited with {process.ExitCode}:\n{log}");
    }
}
