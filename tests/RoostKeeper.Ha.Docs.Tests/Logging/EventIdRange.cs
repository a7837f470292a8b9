using System.Globalization;
using System.Text.RegularExpressions;

namespace RoostKeeper.Ha.Docs.Tests.Logging;

/// <summary>One row of docs/operations.md's "Log event ids" table: a Log class and the ids it may use.</summary>
internal sealed partial record EventIdRange(string LogClass, string Package, int First, int Last)
{
    public const string Document = "docs/operations.md";

    public bool Contains(int id) => id >= First && id <= Last;

    public override string ToString() => $"{LogClass} ({Package}) {First}–{Last}";

    /// <summary>The table's rows: <c>| part | `LogClass` | Package | 1000–1099 |</c> (en dash or hyphen).</summary>
    public static IReadOnlyList<EventIdRange> Parse(string markdown) =>
        Row().Matches(markdown)
            .Select(m => new EventIdRange(
                m.Groups["class"].Value,
                m.Groups["package"].Value.Trim(),
                int.Parse(m.Groups["first"].Value, CultureInfo.InvariantCulture),
                int.Parse(m.Groups["last"].Value, CultureInfo.InvariantCulture)))
            .ToList();

    public static IReadOnlyList<EventIdRange> Documented() => Parse(File.ReadAllText(Path.Combine(Repository.Root, Document)));

    [GeneratedRegex(@"^\|[^|\n]+\| `(?<class>[A-Za-z]+Log)` \| (?<package>[A-Za-z0-9. ]+) \| (?<first>\d+)\s*[–-]\s*(?<last>\d+) \|\s*$", RegexOptions.Multiline)]
    private static partial Regex Row();
}
