using System.Text.RegularExpressions;
using RoostKeeper.Ha.Docs.Tests.Markdown;

namespace RoostKeeper.Ha.Docs.Tests.Configuration;

/// <summary>
/// docs/configuration.md read as data: one section per options class (<c>## `TypeName`</c>), each with a table
/// whose rows are Option | Type | Default | Valid | Key, and whose first code span in a cell is what is checked.
/// </summary>
internal sealed partial class ConfigurationReference
{
    public const string Path = "docs/configuration.md";

    private ConfigurationReference(IReadOnlyDictionary<string, IReadOnlyList<DocumentedOption>> classes) => Classes = classes;

    /// <summary>The documented options by class name, in the order of the page.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<DocumentedOption>> Classes { get; }

    public static ConfigurationReference Load()
    {
        var file = MarkdownFile.Load(Path);
        var classes = new Dictionary<string, IReadOnlyList<DocumentedOption>>(StringComparer.Ordinal);
        List<DocumentedOption>? current = null;
        for (var i = 0; i < file.Lines.Count; i++)
        {
            var line = file.Lines[i];
            var section = ClassHeading().Match(line);
            if (section.Success)
            {
                current = [];
                classes[section.Groups["type"].Value] = current;
                continue;
            }

            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                current = null;
                continue;
            }

            if (current is null || !line.StartsWith("| `", StringComparison.Ordinal))
            {
                continue;
            }

            var cells = line.Trim().Trim('|').Split(" | ");
            if (cells.Length != 5)
            {
                throw new FormatException($"{Path}:{i + 1}: a row needs 5 cells (Option | Type | Default | Valid | Key), found {cells.Length}.");
            }

            current.Add(new DocumentedOption(
                FirstCode(cells[0], i),
                FirstCode(cells[1], i),
                FirstCode(cells[2], i),
                FirstCode(cells[3], i),
                FirstCode(cells[4], i),
                i + 1));
        }

        return new ConfigurationReference(classes);
    }

    private static string FirstCode(string cell, int index)
    {
        var code = CodeSpan().Match(cell);
        return code.Success
            ? code.Groups["code"].Value
            : throw new FormatException($"{Path}:{index + 1}: the cell \"{cell.Trim()}\" must start with its value in `code`.");
    }

    [GeneratedRegex(@"^## `(?<type>\w+)`\s*$")]
    private static partial Regex ClassHeading();

    [GeneratedRegex(@"`(?<code>[^`]*)`")]
    private static partial Regex CodeSpan();
}
