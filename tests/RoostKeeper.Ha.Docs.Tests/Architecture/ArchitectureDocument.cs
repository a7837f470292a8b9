using System.Text;

namespace RoostKeeper.Ha.Docs.Tests.Architecture;

/// <summary>
/// The generated part of docs/architecture.md: between <see cref="Begin"/> and <see cref="End"/>, for each src/
/// project, a mermaid diagram of its folder dependencies and its folders one line each (files, what each uses).
/// <see cref="Render"/> writes it from <see cref="FolderGraph"/>s; <see cref="Replace"/> puts it in the file.
/// </summary>
internal static class ArchitectureDocument
{
    public const string Begin = "<!-- generated:architecture -->";
    public const string End = "<!-- /generated:architecture -->";

    /// <summary>Set to 1, the architecture test rewrites the block instead of failing on a difference.</summary>
    public const string UpdateVariable = "ROOST_UPDATE_DOCS";

    public static string RelativePath => "docs/architecture.md";

    public static string FullPath => Path.Combine(Repository.Root, "docs", "architecture.md");

    public static string Render(IEnumerable<FolderGraph> graphs)
    {
        var text = new StringBuilder();
        text.Append(Begin).Append('\n');
        text.Append($"<!-- Written by tests/RoostKeeper.Ha.Docs.Tests/Architecture from the sources; do not edit: run the test with {UpdateVariable}=1 to rewrite it. -->\n");
        foreach (var graph in graphs)
        {
            text.Append('\n').Append($"#### `src/{graph.Project}`\n\n");
            if (graph.Edges.Count > 0)
            {
                text.Append("```mermaid\nflowchart LR\n");
                foreach (var folder in graph.Folders.Keys)
                {
                    text.Append($"    {Id(folder)}[\"{Label(folder)}\"]\n");
                }

                foreach (var (from, to) in graph.Edges.Keys.OrderBy(e => e.From, StringComparer.Ordinal).ThenBy(e => e.To, StringComparer.Ordinal))
                {
                    text.Append($"    {Id(from)} --> {Id(to)}\n");
                }

                text.Append("```\n\n");
            }

            foreach (var (folder, files) in graph.Folders)
            {
                var uses = graph.DependenciesOf(folder);
                text.Append($"- `{Label(folder)}` ({Files(files)})")
                    .Append(uses.Count == 0 ? "" : " uses " + string.Join(", ", uses.Select(u => $"`{Label(u)}`")))
                    .Append('\n');
                foreach (var (subfolder, count) in graph.Subfolders.Where(s => s.Key.StartsWith(folder + "/", StringComparison.Ordinal)))
                {
                    text.Append($"  - `{subfolder}/` ({Files(count)})\n");
                }
            }
        }

        text.Append(End);
        return text.ToString();
    }

    /// <summary>The block as the file has it now, or null when the markers are missing.</summary>
    public static string? Current(string markdown)
    {
        var begin = markdown.IndexOf(Begin, StringComparison.Ordinal);
        var end = markdown.IndexOf(End, StringComparison.Ordinal);
        return begin < 0 || end < begin ? null : markdown[begin..(end + End.Length)];
    }

    /// <summary>The file with its block replaced by <paramref name="block"/>.</summary>
    public static string Replace(string markdown, string block)
    {
        var current = Current(markdown) ?? throw new InvalidOperationException($"{RelativePath} has no {Begin} ... {End} block.");
        return markdown.Replace(current, block, StringComparison.Ordinal);
    }

    private static string Id(string folder) => folder == FolderGraph.Root ? "root" : "f_" + folder;

    private static string Label(string folder) => folder == FolderGraph.Root ? FolderGraph.Root : folder + "/";

    private static string Files(int count) => count == 1 ? "1 file" : $"{count} files";
}
