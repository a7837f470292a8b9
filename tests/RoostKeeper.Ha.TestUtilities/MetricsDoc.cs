using System.Text.RegularExpressions;

namespace RoostKeeper.Ha.TestUtilities;

/// <summary>
/// docs/metrics.md's instrument tables, parsed: each row is
/// <c>| `prometheus_name` | type | `unit` | labels | `HaInstruments.Constant` | meaning |</c>, where labels are the
/// backticked words outside parentheses (the parentheses list example values), or "none".
/// </summary>
public static partial class MetricsDoc
{
    public static IReadOnlyList<MetricsDocRow> Rows() => Rows(File.ReadAllText(RepositoryRoot.Combine("docs", "metrics.md")));

    public static IReadOnlyList<MetricsDocRow> Rows(string markdown) =>
        Row().Matches(markdown).Select(m => new MetricsDocRow(
            m.Groups["name"].Value,
            m.Groups["type"].Value,
            m.Groups["unit"].Value,
            Backticked().Matches(Parenthesized().Replace(m.Groups["labels"].Value, "")).Select(l => l.Groups[1].Value).Order(StringComparer.Ordinal).ToList(),
            m.Groups["constant"].Value)).ToList();

    /// <summary>Each documented name with the series Prometheus shows for it (a histogram's _bucket, _sum and _count).</summary>
    public static IReadOnlySet<string> Series() =>
        Rows().SelectMany(r => r.Type == "histogram" ? [r.Name, $"{r.Name}_bucket", $"{r.Name}_sum", $"{r.Name}_count"] : new[] { r.Name }).ToHashSet();

    [GeneratedRegex(@"^\| `(?<name>[a-z_:]+)` \| (?<type>counter|gauge|histogram) \| `(?<unit>[^`]*)` \| (?<labels>[^|]*) \| `HaInstruments\.(?<constant>[A-Za-z]+)` \| [^|]+ \|\s*$", RegexOptions.Multiline)]
    private static partial Regex Row();

    [GeneratedRegex(@"\([^)]*\)")]
    private static partial Regex Parenthesized();

    [GeneratedRegex(@"`([a-z_]+)`")]
    private static partial Regex Backticked();
}
