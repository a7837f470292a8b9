using System.Xml.Linq;
using RoostKeeper.Ha.Docs.Tests.Markdown;

namespace RoostKeeper.Ha.Docs.Tests.Packages;

/// <summary>
/// Every package has a readme of its own, without relative links (NuGet's page cannot follow them): the core
/// package packs src/README.md (RoostKeeper.Ha.nuspec), the three packed from their project files pack the
/// README.md in their project folder (Directory.Build.targets). Each is about its own package.
/// </summary>
public sealed class PackageReadmeTests
{
    [Theory]
    [InlineData("RoostKeeper.Ha.AspNetCore", "MapRoostHaProbes")]
    [InlineData("RoostKeeper.Ha.Backups.S3", "ToS3")]
    [InlineData("RoostKeeper.Ha.Testing", "SimulatedCluster")]
    public void A_package_packed_from_its_project_file_has_a_readme_of_its_own(string package, string subject)
    {
        var readme = MarkdownFile.Load($"src/{package}/README.md");

        Assert.Equal($"# {package}", readme.Lines[0]);
        Assert.Contains(readme.Lines, l => l.Contains(subject, StringComparison.Ordinal));
        var targets = XDocument.Load(Path.Combine(Repository.Root, "Directory.Build.targets"));
        Assert.Contains(targets.Descendants("None"), e => (string?)e.Attribute("Include") == "$(MSBuildProjectDirectory)/README.md" && (string?)e.Attribute("Pack") == "true");
        var project = XDocument.Load(Path.Combine(Repository.Root, "src", package, package + ".csproj"));
        Assert.DoesNotContain(project.Descendants("None"), e => ((string?)e.Attribute("Include"))?.EndsWith("README.md", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void The_testing_and_s3_readmes_do_not_show_the_aspnetcore_quick_start()
    {
        foreach (var package in new[] { "RoostKeeper.Ha.Testing", "RoostKeeper.Ha.Backups.S3" })
        {
            Assert.DoesNotContain(MarkdownFile.Load($"src/{package}/README.md").Lines, l => l.Contains("MapRoostHaProbes", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void The_core_nuspec_packs_the_package_readme_at_the_package_root()
    {
        var nuspec = XDocument.Load(Path.Combine(Repository.Root, "RoostKeeper.Ha.nuspec"));
        XNamespace ns = nuspec.Root!.Name.Namespace;

        var readme = nuspec.Descendants(ns + "file").Where(f => ((string?)f.Attribute("src"))?.EndsWith("README.md", StringComparison.Ordinal) == true).ToList();

        var file = Assert.Single(readme);
        Assert.Equal("src/README.md", (string?)file.Attribute("src"));
        Assert.Equal("", (string?)file.Attribute("target"));
        Assert.Equal("README.md", nuspec.Descendants(ns + "readme").Single().Value);
        Assert.Equal("# RoostKeeper.Ha", MarkdownFile.Load("src/README.md").Lines[0]);
    }
}
