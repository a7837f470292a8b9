using System.IO.Compression;
using System.Xml.Linq;

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
        var root = RepositoryRoot.Path;
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


    private static async Task PackAsync(string root, string output)
    {
        using var packLock = await PackLock.AcquireAsync(root);
        var (exitCode, log) = await DotnetCli.RunAsync(
            ["pack", Path.Combine(root, "src", "RoostKeeper.Ha.AspNetCore", "RoostKeeper.Ha.AspNetCore.csproj"), "-c", "Release", "-o", output],
            PackTimeout);
        Assert.True(exitCode == 0, $"dotnet pack exited with {exitCode}:\n{log}");
    }
}
