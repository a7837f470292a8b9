using System.Globalization;
using System.Text.RegularExpressions;

namespace RoostKeeper.Ha.Docs.Tests.Logging;

/// <summary>One Log class of a row of docs/metrics.md's "Log event ids" table and the ids it may use (a row may name several classes of one capability, which share its range).</summary>
internal sealed partial record EventIdRange(string LogClass, string Package, int First, int Last, int RowIndex = 0)
{
    public const string Document = "docs/metrics.md";

    public bool Contains(int id) => id >= First && id <= Last;

    public override string ToString() => $"{LogClass} ({Package}) {First}–{Last}";

    /// <summary>
    /// The table's rows: <c>| capability | `LogClass`[, `OtherLog`] | Package | `category` | 1000–1099 |</c>
    /// (en dash or hyphen), one range per Log class named.
    /// </summary>
    public static IReadOnlyList<EventIdRange> Parse(string markdown) =>
        Row().Matches(markdown)
            .SelectMany((m, row) => m.Groups["class"].Captures.Select(c => new EventIdRange(
                c.Value,
                m.Groups["package"].Value.Trim(),
                int.Parse(m.Groups["first"].Value, CultureInfo.InvariantCulture),
                int.Parse(m.Groups["last"].Value, CultureInfo.InvariantCulture),
                row)))
            .ToList();

    public static IReadOnlyList<EventIdRange> Documented() => Parse(File.ReadAllText(Path.Combine(Repository.Root, Document)));

    [GeneratedRegex(@"^\|[^|\n]+\| `(?<class>[A-Za-z]+Log)`(?:, `(?<class>[A-Za-z]+Log)`)* \| (?<package>[A-Za-z0-9. ]+) \| `[A-Za-z0-9.]+` \| (?<first>\d+)\s*[–-]\s*(?<last>\d+) \|\s*$", RegexOptions.Multiline)]
    private static partial Regex Row();
}
