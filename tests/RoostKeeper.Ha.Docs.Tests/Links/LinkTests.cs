using RoostKeeper.Ha.Docs.Tests.Markdown;
using RoostKeeper.Ha.Election;

namespace RoostKeeper.Ha.Docs.Tests.Links;

/// <summary>
/// Every relative link in README.md and docs/*.md names a file of the repository (and, with '#', a heading
/// of it), and none leaves the repository: the docs must stand on their own in a clone.
/// </summary>
public sealed class LinkTests
{
    public static TheoryData<string> DocumentationFiles()
    {
        var data = new TheoryData<string>();
        foreach (var path in Repository.DocumentationFiles())
        {
            data.Add(path);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DocumentationFiles))]
    public void Relative_links_resolve_inside_the_repository(string path)
    {
        var file = MarkdownFile.Load(path);

        var broken = file.Links.Select(link => Problem(file, link)).OfType<string>().ToList();

        Assert.True(broken.Count == 0, $"Broken links in {path}:\n{string.Join("\n", broken)}");
    }

    [Theory]
    [MemberData(nameof(DocumentationFiles))]
    public void Nothing_points_outside_the_repository(string path)
    {
        var file = MarkdownFile.Load(path);

        var outside = file.Lines
            .Select((text, i) => (text, line: i + 1))
            .Where(l => l.text.Contains("../shared", StringComparison.Ordinal) || l.text.Contains("/work/", StringComparison.Ordinal))
            .Select(l => $"{path}:{l.line}: {l.text.Trim()}")
            .ToList();

        Assert.True(outside.Count == 0, $"{path} refers to places outside the repository:\n{string.Join("\n", outside)}");
    }

    [Fact]
    public void The_package_readmes_have_no_relative_links_because_nuget_cannot_resolve_them()
    {
        var readmes = Repository.PackageReadmes();

        Assert.Equal(4, readmes.Count);
        foreach (var path in readmes)
        {
            var readme = MarkdownFile.Load(path);
            Assert.Empty(readme.Links.Where(l => !l.Target.StartsWith("https://", StringComparison.Ordinal)).Select(l => $"{path}:{l.Line}: {l.Target}"));
        }
    }

    [Fact]
    public void A_missing_file_a_missing_heading_and_a_path_out_of_the_repository_are_each_reported()
    {
        var readme = MarkdownFile.Load("README.md");

        Assert.Contains("no file", Problem(readme, new MarkdownLink("docs/no-such-page.md", 7)), StringComparison.Ordinal);
        Assert.Contains("no heading", Problem(readme, new MarkdownLink("docs/configuration.md#no-such-heading", 7)), StringComparison.Ordinal);
        Assert.Contains("outside the repository", Problem(readme, new MarkdownLink("../shared/DESIGN.md", 7)), StringComparison.Ordinal);
        Assert.Null(Problem(readme, new MarkdownLink("docs/configuration.md", 7)));
        Assert.Null(Problem(readme, new MarkdownLink("https://github.com/kubernetes-client/csharp", 7)));
    }

    [Theory]
    [InlineData("Two commands", "two-commands")]
    [InlineData("`LeaderElectionOptions` (section `RoostHa`)", "leaderelectionoptions-section-roostha")]
    [InlineData("Probes, status page and API (RoostKeeper.Ha.AspNetCore)", "probes-status-page-and-api-roostkeeperhaaspnetcore")]
    [InlineData("See [the docs](docs/x.md) now", "see-the-docs-now")]
    public void Headings_get_githubs_anchors(string heading, string anchor) =>
        Assert.Equal(anchor, MarkdownFile.Slug(heading));

    /// <summary>What is wrong with a link, or null when it resolves (absolute URLs are not checked: no network).</summary>
    private static string? Problem(MarkdownFile file, MarkdownLink link)
    {
        var target = link.Target;
        if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
        {
            return null;
        }

        var hash = target.IndexOf('#', StringComparison.Ordinal);
        var pathPart = hash < 0 ? target : target[..hash];
        var anchor = hash < 0 ? null : target[(hash + 1)..];
        pathPart = Uri.UnescapeDataString(pathPart);

        MarkdownFile linked = file;
        if (pathPart.Length > 0)
        {
            var baseDir = pathPart.StartsWith('/') ? Repository.Root : Path.GetDirectoryName(file.Path)!;
            var full = Path.GetFullPath(Path.Combine(baseDir, pathPart.TrimStart('/')));
            var root = Path.GetFullPath(Repository.Root);
            if (!full.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal) && full != root)
            {
                return $"{file.RelativePath}:{link.Line}: {target} points outside the repository";
            }

            if (!File.Exists(full) && !Directory.Exists(full))
            {
                return $"{file.RelativePath}:{link.Line}: {target}: no file {Path.GetRelativePath(root, full)}";
            }

            if (anchor is null)
            {
                return null;
            }

            if (!full.EndsWith(".md", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            linked = MarkdownFile.Load(Path.GetRelativePath(root, full));
        }

        return anchor is null || linked.Anchors.Contains(anchor)
            ? null
            : $"{file.RelativePath}:{link.Line}: {target}: no heading with anchor #{anchor} in {linked.RelativePath}";
    }
}
