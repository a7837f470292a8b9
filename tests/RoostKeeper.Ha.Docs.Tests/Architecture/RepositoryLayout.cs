using System.Text.RegularExpressions;

namespace RoostKeeper.Ha.Docs.Tests.Architecture;

/// <summary>
/// The "Folder layout" block of docs/architecture.md: one entry per line that starts at the first column
/// (<c>tests/RoostKeeper.Ha.Tests/   the core package's tests ...</c>); indented lines continue the entry above.
/// </summary>
internal static partial class RepositoryLayout
{
    /// <summary>The block's text, or null when the page has no such block.</summary>
    public static string? Block(string markdown) => Section().Match(markdown) is { Success: true } m ? m.Groups["block"].Value : null;

    /// <summary>The paths the block's entries start with, as written ("samples/Shared/", "README.md").</summary>
    public static IReadOnlyList<string> Entries(string block) =>
        block.Split('\n')
            .Where(line => line.Length > 0 && !char.IsWhiteSpace(line[0]))
            .Select(line => line.Split(' ', 2)[0])
            .ToList();

    [GeneratedRegex(@"^## Folder layout[^\n]*\n(?:(?!```)[^\n]*\n)*?```[^\n]*\n(?<block>.*?)```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Section();
}
