using System.Reflection.Metadata;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace RoostKeeper.Ha.Tests.Packaging;

/// <summary>
/// What a NuGet user expects of each of the four packages, checked on the packages themselves (packed by
/// <see cref="PackedPackages"/>): symbols, repository, icon, release notes, tags, a readme of its own, net8.0
/// dependencies on the Microsoft.Extensions 8.0 line, package validation, and a root pack of exactly the four.
/// </summary>
public sealed class PackageMetadataTests : IClassFixture<PackedPackages>
{
    private static readonly Guid EmbeddedSource = new("0E8A571B-6926-466E-B4AD-8AB04611F5FE");

    private readonly PackedPackages _packages;

    public PackageMetadataTests(PackedPackages packages) => _packages = packages;

    public static TheoryData<string> Ids() => [.. PackedPackages.Ids];

    [Theory]
    [MemberData(nameof(Ids))]
    public void Each_assembly_has_a_pdb_next_to_it_with_every_source_file_embedded(string id)
    {
        var package = _packages[id];
        foreach (var framework in new[] { "net8.0", "net10.0" })
        {
            Assert.Contains($"lib/{framework}/{id}.dll", package.Entries);
            using var provider = MetadataReaderProvider.FromPortablePdbStream(new MemoryStream(package.File($"lib/{framework}/{id}.pdb")));
            var pdb = provider.GetMetadataReader();
            var sources = pdb.Documents.Select(pdb.GetDocument).Where(d => pdb.GetString(d.Name).EndsWith(".cs", StringComparison.Ordinal)).ToList();
            var withoutSource = pdb.Documents
                .Where(h => pdb.GetString(pdb.GetDocument(h).Name).EndsWith(".cs", StringComparison.Ordinal))
                .Where(h => !pdb.GetCustomDebugInformation(h).Any(c => pdb.GetGuid(pdb.GetCustomDebugInformation(c).Kind) == EmbeddedSource))
                .Select(h => pdb.GetString(pdb.GetDocument(h).Name))
                .ToList();

            Assert.True(sources.Count > 5, $"{id} {framework}: the PDB names only {sources.Count} source files");
            Assert.True(withoutSource.Count == 0, $"{id} {framework}: sources not embedded in the PDB: {string.Join(", ", withoutSource)}");
        }
    }

    [Fact]
    public void The_core_package_packs_a_snupkg_when_asked_for_one_instead_of_failing_with_NU5005()
    {
        var (exitCode, log, files) = _packages.CoreSymbolsPack;

        Assert.True(exitCode == 0, $"dotnet pack --include-symbols -p:SymbolPackageFormat=snupkg exited with {exitCode}:\n{log}");
        Assert.Contains(files, f => f.EndsWith(".snupkg", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Each_package_names_its_git_repository_and_commit(string id)
    {
        var repository = _packages[id].MetadataElement("repository");

        Assert.NotNull(repository);
        Assert.Equal("git", repository.Attribute("type")?.Value);
        Assert.StartsWith("https://", repository.Attribute("url")?.Value ?? "", StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")?.Value ?? "");
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Each_package_has_an_icon(string id)
    {
        var package = _packages[id];
        var icon = package.Metadata("icon");

        Assert.Equal("icon.png", icon);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, package.File(icon!).Take(4));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Each_package_release_notes_are_its_version_section_of_the_changelog_which_it_carries(string id)
    {
        var package = _packages[id];
        var version = package.Metadata("version")!;
        var changelog = File.ReadAllText(Path.Combine(RepositoryLayout.Root, "CHANGELOG.md")).ReplaceLineEndings("\n");
        var section = Regex.Match(changelog, $@"\n## \[{Regex.Escape(version)}\][^\n]*\n(?<notes>.*?)(?=\n## |\z)", RegexOptions.Singleline);

        Assert.True(section.Success, $"CHANGELOG.md has no section for {version}");
        Assert.Equal(section.Groups["notes"].Value.Trim(), package.Metadata("releaseNotes")?.ReplaceLineEndings("\n"));
        Assert.Equal(changelog, Encoding.UTF8.GetString(package.File("CHANGELOG.md")).ReplaceLineEndings("\n"));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Each_package_tags_are_separated_by_spaces(string id)
    {
        var tags = _packages[id].Metadata("tags") ?? "";

        Assert.DoesNotContain(';', tags);
        Assert.DoesNotContain(',', tags);
        Assert.True(tags.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length >= 3, $"{id}: tags \"{tags}\"");
        Assert.Contains("kubernetes", tags.Split(' '));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Each_package_has_a_readme_of_its_own(string id)
    {
        var package = _packages[id];

        Assert.Equal("README.md", package.Metadata("readme"));
        var readme = Encoding.UTF8.GetString(package.File("README.md")).ReplaceLineEndings("\n");
        Assert.StartsWith($"# {id}\n", readme, StringComparison.Ordinal);
        Assert.Contains("LICENSE", package.Entries);
        Assert.Equal("MIT", package.Metadata("license"));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void The_net8_group_depends_on_the_Microsoft_Extensions_8_line_and_the_net10_group_on_10(string id)
    {
        var dependencies = NuspecReader.Dependencies(_packages[id].Nuspec);

        Assert.Equal(["net10.0", "net8.0"], NuspecReader.GroupFrameworks(_packages[id].Nuspec).Order(StringComparer.Ordinal));
        foreach (var (framework, major) in new[] { ("net8.0", 8), ("net10.0", 10) })
        {
            var platform = dependencies.Where(d => d.TargetFramework == framework && (d.Id.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal) || d.Id.StartsWith("System.", StringComparison.Ordinal))).ToList();
            Assert.All(platform, d => Assert.True(Version.Parse(d.Version).Major == major, $"{id}: {d} is not on the {major}.0 line"));
        }

        if (id == "RoostKeeper.Ha")
        {
            Assert.Contains(dependencies, d => d.TargetFramework == "net8.0" && d.Id == "Microsoft.Extensions.Options");
        }
    }

    [Fact]
    public async Task A_net8_application_that_adds_the_four_packages_gets_no_Microsoft_Extensions_10_assemblies()
    {
        var folder = Directory.CreateTempSubdirectory("roostha-net8-consumer-");
        try
        {
            var version = _packages["RoostKeeper.Ha"].Metadata("version");
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>net8.0</TargetFramework>
                    <RestorePackagesPath>{folder.FullName}/packages</RestorePackagesPath>
                  </PropertyGroup>
                  <ItemGroup>
                    {string.Concat(PackedPackages.Ids.Select(id => $"<PackageReference Include=\"{id}\" Version=\"{version}\" />"))}
                  </ItemGroup>
                </Project>
                """);

            // Our packages from this pack only (a stale 0.1.0 in the global cache must not stand in); everything
            // else from the machine's package cache, which the repository's own restore has filled.
            var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
                ? configured
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "nuget.config"), $"""
                <configuration>
                  <packageSources><clear /><add key="packed" value="{_packages.Folder}" /><add key="cache" value="{cache}" /></packageSources>
                  <packageSourceMapping>
                    <packageSource key="packed"><package pattern="RoostKeeper.*" /></packageSource>
                    <packageSource key="cache"><package pattern="*" /></packageSource>
                  </packageSourceMapping>
                </configuration>
                """);

            var (exitCode, log) = await PackedPackages.DotnetAsync("restore", Path.Combine(folder.FullName, "Consumer.csproj"));

            Assert.True(exitCode == 0, $"restoring a net8.0 consumer of the packages failed:\n{log}");
            var assets = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder.FullName, "obj", "project.assets.json")))!;
            var libraries = assets["libraries"]!.AsObject().Select(l => l.Key).ToList();
            var extensions = libraries.Where(l => l.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal)).ToList();
            Assert.Contains(extensions, l => l.StartsWith("Microsoft.Extensions.Options/", StringComparison.Ordinal));
            Assert.All(extensions, l => Assert.StartsWith("8.", l.Split('/')[1], StringComparison.Ordinal));
            Assert.Contains(libraries, l => l == $"RoostKeeper.Ha/{version}");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Package_validation_is_enabled_and_runs_on_pack(string id)
    {
        // The SDK's RunPackageValidation target (after Pack) touches this marker; it is skipped when the property is off.
        var marker = Path.Combine(RepositoryLayout.Root, "src", id, "obj", "Release", "Microsoft.NET.ApiCompat.ValidatePackage.semaphore");

        Assert.Equal("true", _packages.PackageValidation[id]);
        Assert.True(File.Exists(marker), $"{id}: package validation has never run on a Release pack ({marker})");
    }

    [Fact]
    public void Dotnet_pack_at_the_root_packs_the_four_packages_and_skips_every_other_project()
    {
        var (exitCode, log, files) = _packages.RootPack;

        Assert.True(exitCode == 0, $"dotnet pack -c Release --no-build at the root exited with {exitCode}:\n{log}");
        var version = _packages["RoostKeeper.Ha"].Metadata("version");
        Assert.Equal(PackedPackages.Ids.Select(id => $"{id}.{version}.nupkg").Order(StringComparer.Ordinal), files);
    }

    [Fact]
    public void The_core_nuspec_packs_the_same_kinds_of_files_as_the_packages_packed_from_project_files()
    {
        static IEnumerable<string> Kinds(PackedPackage p) => p.Entries
            .Where(e => !e.StartsWith('[') && !e.StartsWith("_rels/", StringComparison.Ordinal) && !e.StartsWith("package/", StringComparison.Ordinal))
            .Select(e => e.Replace(p.Id, "{id}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

        Assert.Equal(Kinds(_packages["RoostKeeper.Ha.Backups.S3"]), Kinds(_packages["RoostKeeper.Ha"]));
        var core = _packages["RoostKeeper.Ha"].Nuspec.Descendants().Single(e => e.Name.LocalName == "metadata").Elements().Select(e => e.Name.LocalName).ToHashSet();
        var s3 = _packages["RoostKeeper.Ha.Backups.S3"].Nuspec.Descendants().Single(e => e.Name.LocalName == "metadata").Elements().Select(e => e.Name.LocalName);
        Assert.Empty(s3.Except(core));
    }
}
