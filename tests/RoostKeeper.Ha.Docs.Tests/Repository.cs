namespace RoostKeeper.Ha.Docs.Tests;

/// <summary>Where the repository is, and which of its Markdown files are user documentation.</summary>
internal static class Repository
{
    /// <summary>The directory holding RoostKeeper.Ha.sln, found upwards from the test's output directory.</summary>
    public static string Root => RepositoryRoot.Path;

    /// <summary>The packages' readmes: src/README.md (RoostKeeper.Ha) and src/&lt;package&gt;/README.md for the others.</summary>
    public static IReadOnlyList<string> PackageReadmes() =>
    [
        "src/README.md",
        .. Directory.GetDirectories(Path.Combine(Root, "src"))
            .Where(d => File.Exists(Path.Combine(d, "README.md")))
            .Select(d => $"src/{Path.GetFileName(d)}/README.md")
            .Order(StringComparer.Ordinal),
    ];

    /// <summary>README.md, the packages' readmes and every docs/*.md, as paths from the root.</summary>
    public static IReadOnlyList<string> DocumentationFiles()
    {
        var docs = Directory.GetFiles(Path.Combine(Root, "docs"), "*.md")
            .Select(p => "docs/" + Path.GetFileName(p))
            .Order(StringComparer.Ordinal);
        return ["README.md", .. PackageReadmes(), .. docs];
    }
}
