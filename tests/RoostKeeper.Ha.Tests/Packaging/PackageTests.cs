using System.Xml.Linq;

namespace RoostKeeper.Ha.Tests.Packaging;

/// <summary>
/// The core package is described by RoostKeeper.Ha.nuspec rather than generated from its csproj; these
/// tests pack it for real and hold the two in step.
/// </summary>
public sealed class PackageTests : IClassFixture<PackedPackages>
{
    private static readonly string[] ShippedFrameworks = ["net8.0", "net10.0"];

    private readonly PackedPackage _package;

    public PackageTests(PackedPackages packages) => _package = packages["RoostKeeper.Ha"];

    [Fact]
    public void Packed_nuspec_declares_exactly_the_csproj_package_references_for_each_framework()
    {
        var expected = ExpectedDependencies.Compute(RepositoryLayout.CoreProject, RepositoryLayout.PackagesProps, RepositoryLayout.SharedBuildFiles);

        Assert.Equal(ShippedFrameworks.Order(StringComparer.Ordinal), NuspecReader.GroupFrameworks(_package.Nuspec).Order(StringComparer.Ordinal));
        Assert.Equal(ShippedFrameworks.Order(StringComparer.Ordinal), expected.Select(d => d.TargetFramework).Distinct().Order(StringComparer.Ordinal));
        Assert.DoesNotContain(expected, d => d.Id == "Microsoft.CodeAnalysis.PublicApiAnalyzers");
        Assert.Contains(expected, d => d.Id == "KubernetesClient");

        var differences = ExpectedDependencies.Differences(expected, NuspecReader.Dependencies(_package.Nuspec));
        Assert.True(differences.Count == 0,
            "RoostKeeper.Ha.nuspec and src/RoostKeeper.Ha/RoostKeeper.Ha.csproj disagree; update the nuspec's dependency groups:\n" +
            string.Join('\n', differences));
    }

    [Fact]
    public void Package_holds_the_library_and_its_documentation_for_each_framework_plus_readme_and_license()
    {
        foreach (var framework in ShippedFrameworks)
        {
            Assert.Contains($"lib/{framework}/RoostKeeper.Ha.dll", _package.Entries);
            Assert.Contains($"lib/{framework}/RoostKeeper.Ha.xml", _package.Entries);
        }

        Assert.Contains("README.md", _package.Entries);
        Assert.Contains("LICENSE", _package.Entries);
        var metadata = _package.Nuspec.Descendants().Single(e => e.Name.LocalName == "metadata");
        Assert.Equal("RoostKeeper.Ha", Value(metadata, "id"));
        Assert.Equal("MIT", Value(metadata, "license"));
        Assert.Equal("README.md", Value(metadata, "readme"));
    }

    [Fact]
    public void A_package_reference_added_without_updating_the_nuspec_is_reported()
    {
        var folder = Directory.CreateTempSubdirectory("roostha-drift-");
        try
        {
            var project = XDocument.Load(RepositoryLayout.CoreProject);
            var references = project.Descendants().First(e => e.Name.LocalName == "PackageReference").Parent!;
            references.Add(new XElement(references.Name.Namespace + "PackageReference", new XAttribute("Include", "Microsoft.Extensions.Hosting")));
            references.Add(new XElement(references.Name.Namespace + "PackageReference",
                new XAttribute("Include", "BenchmarkDotNet"), new XAttribute("PrivateAssets", "all")));
            var modified = Path.Combine(folder.FullName, "RoostKeeper.Ha.csproj");
            project.Save(modified);

            var expected = ExpectedDependencies.Compute(modified, RepositoryLayout.PackagesProps, RepositoryLayout.SharedBuildFiles);
            var declared = NuspecReader.Dependencies(XDocument.Load(RepositoryLayout.CoreNuspec));
            var differences = ExpectedDependencies.Differences(expected, declared);

            Assert.Equal(
                ShippedFrameworks.Select(f => $"missing from the package: {f}: Microsoft.Extensions.Hosting {ExpectedDependencies.CentralVersions(RepositoryLayout.PackagesProps, f)["Microsoft.Extensions.Hosting"]}").Order(StringComparer.Ordinal),
                differences);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Central_versions_resolve_properties_defined_in_Directory_Packages_props()
    {
        var versions = ExpectedDependencies.CentralVersions(RepositoryLayout.PackagesProps, "net10.0");
        var props = XDocument.Load(RepositoryLayout.PackagesProps);
        var extensionsVersion = props.Descendants().Single(e => e.Name.LocalName == "MicrosoftExtensionsVersion").Value;

        Assert.Equal(extensionsVersion, versions["Microsoft.Extensions.Options"]);
        Assert.DoesNotContain(versions.Values, v => v.Contains("$(", StringComparison.Ordinal));
    }

    [Fact]
    public void Microsoft_Extensions_versions_follow_the_target_framework_line()
    {
        foreach (var (framework, line) in new[] { ("net8.0", "8."), ("net10.0", "10.") })
        {
            var versions = ExpectedDependencies.CentralVersions(RepositoryLayout.PackagesProps, framework);
            var extensions = versions.Where(v => v.Key.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal) && v.Key != "Microsoft.Extensions.TimeProvider.Testing").ToList();

            Assert.NotEmpty(extensions);
            Assert.All(extensions, v => Assert.True(v.Value.StartsWith(line, StringComparison.Ordinal), $"{framework}: {v.Key} {v.Value} is not on the {line}x line"));
        }

        var net8 = ExpectedDependencies.CentralVersions(RepositoryLayout.PackagesProps, "net8.0").Keys.Order(StringComparer.Ordinal);
        var net10 = ExpectedDependencies.CentralVersions(RepositoryLayout.PackagesProps, "net10.0").Keys.Order(StringComparer.Ordinal);
        Assert.Equal(net10, net8);
    }

    private static string? Value(XElement metadata, string name) => metadata.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
}
