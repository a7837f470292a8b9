using System.Text.RegularExpressions;

namespace RoostKeeper.Ha.Sample.Tests.Manifests;

/// <summary>
/// The metric names a PromQL expression selects: what is left once strings, label matchers, ranges,
/// grouping label lists, Grafana variables, numbers, keywords and function calls are taken out. Enough for
/// the rules and dashboard here; not a PromQL parser.
/// </summary>
internal static partial class PromQl
{
    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset", "inf", "nan",
    };

    public static IReadOnlySet<string> MetricNames(string expr)
    {
        var rest = Strings().Replace(expr, " ");
        rest = Matchers().Replace(rest, " ");
        rest = Ranges().Replace(rest, " ");
        rest = GroupingLabels().Replace(rest, " ");
        rest = GrafanaVariables().Replace(rest, " ");
        return Identifiers().Matches(rest)
            .Where(m => !m.Groups["call"].Success)
            .Select(m => m.Groups["name"].Value)
            .Where(name => !Keywords.Contains(name))
            .ToHashSet();
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Matchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Ranges();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", RegexOptions.IgnoreCase)]
    private static partial Regex GroupingLabels();

    [GeneratedRegex(@"\$\{?\w+\}?")]
    private static partial Regex GrafanaVariables();

    // A name not preceded by a digit, letter or dot (so 0.001 and 1e3 are not names); a call when "(" follows.
    [GeneratedRegex(@"(?<![\w.:])(?<name>[a-zA-Z_:][\w:]*)(?<call>\s*\()?")]
    private static partial Regex Identifiers();
}
