using System.Text.RegularExpressions;

namespace RoostKeeper.Ha.Testing.Tests;

/// <summary>
/// Keeps the folders of src/RoostKeeper.Ha.Testing depending one way, as docs/architecture.md draws them: a
/// folder uses a type declared in another folder only along an arrow the page lists.
/// </summary>
public sealed partial class FolderDependencyTests
{
    private const string Root = "root";

    [Fact]
    public void Folders_depend_only_along_the_arrows_docs_architecture_draws()
    {
        var repository = RepositoryRoot();
        var declared = DeclaredTypes(Path.Combine(repository, "src", "RoostKeeper.Ha.Testing"), out var sources);
        var allowed = DocumentedArrows(File.ReadAllText(Path.Combine(repository, "docs", "architecture.md")));

        var offending = new List<string>();
        foreach (var (folder, code) in sources)
        {
            foreach (var (type, home) in declared)
            {
                if (home != folder && !allowed.Contains((folder, home)) && Regex.IsMatch(code, $@"\b{type}\b"))
                {
                    offending.Add($"{folder} -> {home} ({type})");
                }
            }
        }

        Assert.Empty(offending.Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_documented_arrows_have_no_cycle()
    {
        var arrows = DocumentedArrows(File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "architecture.md")));
        Assert.NotEmpty(arrows);
        foreach (var (from, _) in arrows)
        {
            var reached = new HashSet<string>(StringComparer.Ordinal);
            var frontier = new Stack<string>([from]);
            while (frontier.TryPop(out var next))
            {
                foreach (var (_, to) in arrows.Where(a => a.From == next))
                {
                    Assert.True(to != from, $"{from} reaches itself through {next} -> {to}");
                    if (reached.Add(to))
                    {
                        frontier.Push(to);
                    }
                }
            }
        }
    }

    private static Dictionary<string, string> DeclaredTypes(string project, out List<(string Folder, string Code)> sources)
    {
        var declared = new Dictionary<string, string>(StringComparer.Ordinal);
        sources = [];
        foreach (var file in Directory.EnumerateFiles(project, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(project, file);
            if (relative.StartsWith("obj", StringComparison.Ordinal) || relative.StartsWith("bin", StringComparison.Ordinal))
            {
                continue;
            }

            var folder = relative.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal)
                ? relative[..relative.IndexOf(Path.DirectorySeparatorChar, StringComparison.Ordinal)]
                : Root;
            var text = File.ReadAllText(file);
            foreach (Match match in TypeDeclaration().Matches(text))
            {
                declared[match.Groups[1].Value] = folder;
            }

            // Comments and string literals name types without depending on them.
            var code = StringLiteral().Replace(Comment().Replace(text, ""), "\"\"");
            sources.Add((folder, string.Join('\n', code.Split('\n').Where(l => !l.StartsWith("using ", StringComparison.Ordinal)))));
        }

        return declared;
    }

    private static HashSet<(string From, string To)> DocumentedArrows(string page)
    {
        var section = page[page.IndexOf("### Inside `src/RoostKeeper.Ha.Testing`", StringComparison.Ordinal)..];
        var arrows = new HashSet<(string, string)>();
        foreach (Match line in Arrow().Matches(section))
        {
            foreach (var to in line.Groups["to"].Value.Split(',', StringSplitOptions.TrimEntries))
            {
                arrows.Add((line.Groups["from"].Value.Trim(), to));
            }
        }

        return arrows;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RoostKeeper.Ha.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("RoostKeeper.Ha.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^\s*(?:public|internal)\s+(?:(?:static|sealed|abstract|readonly|partial)\s+)*(?:class|record struct|record|struct|enum|interface)\s+(\w+)", RegexOptions.Multiline)]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"//.*")]
    private static partial Regex Comment();

    [GeneratedRegex("\"[^\"\\n]*\"")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"^- (?<from>\w+) → (?<to>[\w, ]+)$", RegexOptions.Multiline)]
    private static partial Regex Arrow();
}
