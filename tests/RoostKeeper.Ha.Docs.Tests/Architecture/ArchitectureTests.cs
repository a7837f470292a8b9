using System.Text;

namespace RoostKeeper.Ha.Docs.Tests.Architecture;

/// <summary>
/// docs/architecture.md cannot drift from the code: its generated block (each src/ project's folder dependency
/// graph and folder list) equals what the sources give, its hand-written layout names exactly the folders there
/// are, and the folders of each project depend one way (no cycles).
/// </summary>
public sealed class ArchitectureTests
{
    private static readonly Lazy<IReadOnlyList<FolderGraph>> Graphs = new(() => SourceFolders.Projects.Select(SourceFolders.Build).ToList());

    [Fact]
    public void The_generated_block_matches_the_folder_graph_of_the_sources()
    {
        var markdown = File.ReadAllText(ArchitectureDocument.FullPath);
        var expected = ArchitectureDocument.Render(Graphs.Value);
        var current = ArchitectureDocument.Current(markdown);
        Assert.True(current is not null, $"{ArchitectureDocument.RelativePath} has no {ArchitectureDocument.Begin} ... {ArchitectureDocument.End} block; add the markers and run with {ArchitectureDocument.UpdateVariable}=1.");
        if (current == expected)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable(ArchitectureDocument.UpdateVariable) == "1")
        {
            File.WriteAllText(ArchitectureDocument.FullPath, ArchitectureDocument.Replace(markdown, expected));
            return;
        }

        Assert.Fail(
            $"{ArchitectureDocument.RelativePath}'s generated block differs from the sources. Run this test with {ArchitectureDocument.UpdateVariable}=1 "
            + $"to rewrite it (then review the diff), or replace the block with:\n\n{expected}\n");
    }

    [Fact]
    public void The_folders_of_each_project_depend_one_way()
    {
        var report = new StringBuilder();
        foreach (var graph in Graphs.Value)
        {
            var cycles = graph.Cycles();
            if (cycles.Count == 0)
            {
                continue;
            }

            report.Append($"\n{graph.Project}: {cycles.Count} cycle(s){(cycles.Count == FolderGraph.CycleLimit ? " (the first " + FolderGraph.CycleLimit + ")" : "")}\n");
            foreach (var cycle in cycles)
            {
                report.Append($"  {string.Join(" -> ", cycle.Append(cycle[0]))}\n");
            }

            report.Append("  the edges of these cycles, with the files that make each:\n");
            var edges = cycles.SelectMany(c => c.Select((from, i) => (From: from, To: c[(i + 1) % c.Count]))).Distinct()
                .OrderBy(e => e.From, StringComparer.Ordinal).ThenBy(e => e.To, StringComparer.Ordinal);
            foreach (var edge in edges)
            {
                report.Append($"  {edge.From} -> {edge.To}:\n");
                foreach (var line in graph.Edges[edge])
                {
                    report.Append($"    {line}\n");
                }
            }
        }

        Assert.True(report.Length == 0, "Folders that depend on each other (cut one edge of each cycle: move the type, or hand an abstraction in):" + report);
    }

    [Fact]
    public void The_layout_describes_every_folder_of_the_sources_and_no_other()
    {
        var markdown = File.ReadAllText(ArchitectureDocument.FullPath);
        var layout = FolderLayout.Parse(markdown);
        var problems = new List<string>();
        foreach (var graph in Graphs.Value)
        {
            var actual = graph.Folders.Keys.Where(f => f != FolderGraph.Root).Concat(graph.Subfolders.Keys).ToHashSet(StringComparer.Ordinal);
            IReadOnlySet<string> described = layout.TryGetValue(graph.Project, out var folders) ? folders : new HashSet<string>();
            problems.AddRange(actual.Except(described).Order(StringComparer.Ordinal).Select(f => $"src/{graph.Project}/{f}/ is not described in the layout"));
            problems.AddRange(described.Except(actual).Order(StringComparer.Ordinal).Select(f => $"the layout describes src/{graph.Project}/{f}/, which does not exist"));
        }

        Assert.True(problems.Count == 0, $"{ArchitectureDocument.RelativePath}, \"Inside ...\" sections:\n{string.Join("\n", problems)}");
    }

    [Fact]
    public void The_block_renders_dependencies_and_cycles_from_a_known_graph()
    {
        // A hand-made graph with a cycle: what the two tests above would report, checked on known input.
        var graph = new FolderGraph(
            "Demo",
            new Dictionary<string, int> { [FolderGraph.Root] = 1, ["A"] = 2, ["B"] = 1 },
            new Dictionary<string, int> { ["A/Inner"] = 1 },
            new Dictionary<(string, string), IReadOnlyList<string>>
            {
                [(FolderGraph.Root, "A")] = ["Root.cs -> A/One.cs (One)"],
                [("A", "B")] = ["A/One.cs -> B/Two.cs (Two)"],
                [("B", "A")] = ["B/Two.cs -> A/Inner/Three.cs (Three)"],
            });

        var block = ArchitectureDocument.Render([graph]);

        Assert.Contains("    root --> f_A\n", block, StringComparison.Ordinal);
        Assert.Contains("- `A/` (2 files) uses `B/`\n  - `A/Inner/` (1 file)\n", block, StringComparison.Ordinal);
        Assert.Contains("- `(root)` (1 file) uses `A/`\n", block, StringComparison.Ordinal);
        var cycle = Assert.Single(graph.Cycles());
        Assert.Equal(["A", "B"], cycle);
    }
}
