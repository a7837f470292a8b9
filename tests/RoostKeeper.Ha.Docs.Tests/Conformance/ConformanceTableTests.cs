using System.Text.RegularExpressions;
using RoostKeeper.Ha.Docs.Tests.Markdown;

namespace RoostKeeper.Ha.Docs.Tests.Conformance;

/// <summary>
/// docs/simulated-cluster.md's table of what matches a real v1.33 server says which tests keep each row true. Every
/// test class it names (<c>Folder/ClassTests</c> or <c>ClassTests</c>) must exist in tests/RoostKeeper.Ha.Testing.Tests,
/// in that folder when one is given, and every row that claims a behaviour (matches or simplified) must name one,
/// so a renamed or deleted test cannot leave a row without proof.
/// </summary>
public sealed partial class ConformanceTableTests
{
    private const string Document = "docs/simulated-cluster.md";
    private const string Heading = "## What matches a real v1.33 server";
    private const string TestProject = "tests/RoostKeeper.Ha.Testing.Tests";

    [Fact]
    public void Every_test_class_the_table_names_exists_where_it_says()
    {
        var classes = TestClasses();
        var rows = TableRows();
        var missing = new List<string>();
        var unproven = new List<string>();
        var named = 0;

        foreach (var (row, status, lastCell) in rows)
        {
            var names = TestName().Matches(lastCell).Select(m => m.Groups["name"].Value).ToList();
            named += names.Count;
            if (names.Count == 0 && status is "matches" or "simplified")
            {
                unproven.Add(row);
            }

            foreach (var name in names)
            {
                var slash = name.LastIndexOf('/');
                var className = name[(slash + 1)..];
                if (!classes.TryGetValue(className, out var folders))
                {
                    missing.Add($"{name}: no class {className} in {TestProject}");
                }
                else if (slash > 0 && !folders.Contains(name[..slash]))
                {
                    missing.Add($"{name}: {className} is in {string.Join(", ", folders)}, not {name[..slash]}");
                }
            }
        }

        Assert.True(rows.Count >= 20 && named >= 20, $"the table under '{Heading}' was not found or names no tests ({rows.Count} rows, {named} names)");
        Assert.True(missing.Count == 0, $"{Document} names tests that do not exist:\n{string.Join("\n", missing)}");
        Assert.True(unproven.Count == 0, $"{Document} has rows that name no test:\n{string.Join("\n", unproven)}");
    }

    /// <summary>The table's rows (header and separator skipped) with their status and last cell.</summary>
    private static List<(string Row, string Status, string LastCell)> TableRows()
    {
        var lines = MarkdownFile.Load(Document).Lines;
        var start = lines.ToList().FindIndex(l => l.Trim() == Heading);
        Assert.True(start >= 0, $"{Document} has no heading '{Heading}'");
        var rows = new List<(string, string, string)>();
        foreach (var line in lines.Skip(start + 1).SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|')).Skip(2))
        {
            // Cells are split on pipes that are not escaped (a cell may hold "\|").
            var cells = CellSeparator().Split(line.Trim().Trim('|'));
            rows.Add((line, cells.Length > 1 ? cells[1].Trim() : "", cells[^1]));
        }

        return rows;
    }

    /// <summary>Every class declared in the test project, with the folders (relative to it) that declare it.</summary>
    private static Dictionary<string, HashSet<string>> TestClasses()
    {
        var root = Path.Combine(Repository.Root, TestProject);
        var classes = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var folder = Path.GetRelativePath(root, Path.GetDirectoryName(file)!).Replace('\\', '/');
            if (folder.Split('/')[0] is "bin" or "obj")
            {
                continue;
            }

            foreach (Match match in ClassDeclaration().Matches(File.ReadAllText(file)))
            {
                var name = match.Groups["name"].Value;
                if (!classes.TryGetValue(name, out var folders))
                {
                    folders = new HashSet<string>(StringComparer.Ordinal);
                    classes[name] = folders;
                }

                folders.Add(folder);
            }
        }

        return classes;
    }

    [GeneratedRegex(@"`(?<name>(?:[A-Z][A-Za-z0-9]*/)?[A-Z][A-Za-z0-9]*Tests)`")]
    private static partial Regex TestName();

    [GeneratedRegex(@"(?<!\\)\|")]
    private static partial Regex CellSeparator();

    [GeneratedRegex(@"\bclass\s+(?<name>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex ClassDeclaration();
}
