using System.Xml.Linq;

namespace RoostKeeper.Ha.Docs.Tests.Packages;

/// <summary>
/// Every package packs src/README.md, the readme without relative links, as its README.md: the repository's
/// README.md links into docs/ relatively, which NuGet's page cannot follow.
/// </summary>
public sealed class PackageReadmeTests
{
    [Theory]
    [InlineData("src/RoostKeeper.Ha.AspNetCore/RoostKeeper.Ha.AspNetCore.csproj")]
    [InlineData("src/RoostKeeper.Ha.Backups.S3/RoostKeeper.Ha.Backups.S3.csproj")]
    [InlineData("src/RoostKeeper.Ha.Testing/RoostKeeper.Ha.Testing.csproj")]
    public void A_project_packed_from_its_project_file_packs_the_package_readme(string project)
    {
        var packed = XDocument.Load(Path.Combine(Repository.Root, project))
            .Descendants("None")
            .Where(e => (string?)e.Attribute("Pack") == "true")
            .Select(e => (string?)e.Attribute("Include"))
            .ToList();

        Assert.Contains("$(RepoRoot)src/README.md", packed);
        Assert.DoesNotContain("$(RepoRoot)README.md", packed);
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
    }
}
