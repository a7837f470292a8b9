using System.Text.RegularExpressions;

namespace RoostKeeper.Ha.Docs.Tests.Architecture;

/// <summary>
/// The hand-written folder descriptions of docs/architecture.md: under each heading <c>### Inside `src/PROJECT`</c>,
/// a fenced block whose lines start with a folder (<c>Health/Checks/   the built-in checks ...</c>) or a file;
/// indented lines continue the line above.
/// </summary>
internal static partial class FolderLayout
{
    /// <summary>Project name to the folders its section describes ("Recovery/Archive", without the trailing '/').</summary>
    public static IReadOnlyDictionary<string, IReadOnlySet<string>> Parse(string markdown)
    {
        var result = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (Match section in Section().Matches(markdown))
        {
            var folders = section.Groups["block"].Value.Split('\n')
                .Select(line => FolderAtStart().Match(line))
                .Where(m => m.Success)
                .Select(m => m.Groups[1].Value)
                .ToHashSet(StringComparer.Ordinal);
            result[section.Groups["project"].Value] = folders;
        }

        return result;
    }

    [GeneratedRegex(@"^### Inside `src/(?<project>[A-Za-z0-9.]+)`[^\n]*\n(?:(?!```)[^\n]*\n)*?```[^\n]*\n(?<block>.*?)```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Section();

    [GeneratedRegex(@"^([A-Za-z0-9]+(?:/[A-Za-z0-9]+)*)/(?:\s|$)")]
    private static partial Regex FolderAtStart();
}
