using System.Text.RegularExpressions;

namespace RoostKeeper.Ha.AspNetCore.Http;

/// <summary>
/// The one rule for ids in routes (backups, operations, updates): 1 to 128 letters, digits, '.', '_' or '-',
/// starting with a letter or digit. Every id this library makes fits it, and nothing that could escape a
/// directory store ("..", "/") or a log line does.
/// </summary>
internal static partial class RouteIds
{
    public static bool IsValid(string? id) => id is not null && Pattern().IsMatch(id);

    // \z, not $: $ also matches before a final newline (an id of "x%0A" would reach logs and the store).
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
