using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Testing.Resources;

/// <summary>
/// A label selector in the API server's string syntax: <c>a=b</c>, <c>a==b</c>, <c>a!=b</c>,
/// <c>a in (x,y)</c>, <c>a notin (x)</c>, <c>a</c> (exists) and <c>!a</c> (does not exist), joined by commas.
/// </summary>
internal sealed class LabelSelector
{
    private readonly List<Func<JsonObject?, bool>> _requirements;

    private LabelSelector(List<Func<JsonObject?, bool>> requirements) => _requirements = requirements;

    public static LabelSelector Everything { get; } = new([]);

    public bool Matches(JsonObject obj) => _requirements.TrueForAll(r => r(obj["metadata"]?["labels"] as JsonObject));

    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var requirements = new List<Func<JsonObject?, bool>>();
        foreach (var term in SplitTerms(text))
        {
            requirements.Add(ParseTerm(term.Trim(), text));
        }

        return new LabelSelector(requirements);
    }

    /// <summary>Builds a selector from a structured <c>LabelSelector</c> (matchLabels and matchExpressions).</summary>
    /// <summary>
    /// A <c>LabelSelector</c> object as text the way <c>LabelSelectorAsSelector(...).String()</c> writes it:
    /// requirements sorted by key, <c>k=v</c>, <c>k in (a,b)</c>, <c>k notin (a,b)</c>, <c>k</c>, <c>!k</c>.
    /// </summary>
    public static string Format(JsonObject selector)
    {
        var requirements = new List<(string Key, string Text)>();
        foreach (var (key, value) in selector["matchLabels"] as JsonObject ?? [])
        {
            requirements.Add((key, $"{key}={JsonFields.String(value)}"));
        }

        foreach (var expression in (selector["matchExpressions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var key = JsonFields.String(expression["key"]) ?? "";
            var values = string.Join(',', (expression["values"] as JsonArray ?? []).Select(JsonFields.String).Order(StringComparer.Ordinal));
            requirements.Add((key, JsonFields.String(expression["operator"]) switch
            {
                "In" => $"{key} in ({values})",
                "NotIn" => $"{key} notin ({values})",
                "DoesNotExist" => "!" + key,
                _ => key,
            }));
        }

        return string.Join(',', requirements.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => r.Text));
    }

    public static LabelSelector FromObject(JsonObject? selector)
    {
        var requirements = new List<Func<JsonObject?, bool>>();
        if (selector?["matchLabels"] is JsonObject matchLabels)
        {
            foreach (var (key, value) in matchLabels)
            {
                var expected = value?.GetValue<string>();
                requirements.Add(labels => Label(labels, key) == expected);
            }
        }

        if (selector?["matchExpressions"] is JsonArray expressions)
        {
            foreach (var expression in expressions.OfType<JsonObject>())
            {
                var key = expression["key"]!.GetValue<string>();
                var values = (expression["values"] as JsonArray ?? []).Select(v => v!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
                var op = expression["operator"]?.GetValue<string>();
                requirements.Add(op switch
                {
                    "In" => labels => Label(labels, key) is { } v && values.Contains(v),
                    "NotIn" => labels => Label(labels, key) is not { } v || !values.Contains(v),
                    "Exists" => labels => Label(labels, key) is not null,
                    "DoesNotExist" => labels => Label(labels, key) is null,
                    _ => throw ApiException.BadRequest($"unknown label selector operator \"{op}\""),
                });
            }
        }

        return requirements.Count == 0 ? Everything : new LabelSelector(requirements);
    }

    private static string? Label(JsonObject? labels, string key) => labels?[key]?.GetValue<string>();

    private static Func<JsonObject?, bool> ParseTerm(string term, string whole)
    {
        var inIndex = IndexOfWord(term, " notin ");
        if (inIndex > 0)
        {
            var key = term[..inIndex].Trim();
            var values = ParseSet(term[(inIndex + 7)..], whole);
            return labels => Label(labels, key) is not { } v || !values.Contains(v);
        }

        inIndex = IndexOfWord(term, " in ");
        if (inIndex > 0)
        {
            var key = term[..inIndex].Trim();
            var values = ParseSet(term[(inIndex + 4)..], whole);
            return labels => Label(labels, key) is { } v && values.Contains(v);
        }

        var ne = term.IndexOf("!=", StringComparison.Ordinal);
        if (ne > 0)
        {
            var key = term[..ne].Trim();
            var value = term[(ne + 2)..].Trim();
            return labels => Label(labels, key) != value;
        }

        var eq = term.IndexOf('=', StringComparison.Ordinal);
        if (eq > 0)
        {
            var key = term[..eq].Trim();
            var value = term[(eq + 1)..].TrimStart('=').Trim();
            return labels => Label(labels, key) == value;
        }

        if (term.StartsWith('!'))
        {
            var key = term[1..].Trim();
            return labels => Label(labels, key) is null;
        }

        if (term.Length == 0 || term.Contains(' ', StringComparison.Ordinal))
        {
            throw ApiException.BadRequest($"unable to parse requirement: invalid label selector \"{whole}\"");
        }

        return labels => Label(labels, term) is not null;
    }

    private static int IndexOfWord(string term, string word) => term.IndexOf(word, StringComparison.Ordinal);

    private static HashSet<string> ParseSet(string text, string whole)
    {
        text = text.Trim();
        if (!text.StartsWith('(') || !text.EndsWith(')'))
        {
            throw ApiException.BadRequest($"unable to parse requirement: expected a set of values in parentheses in \"{whole}\"");
        }

        return text[1..^1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Splits on commas that are not inside a parenthesised set.</summary>
    private static IEnumerable<string> SplitTerms(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    yield return text[start..i];
                    start = i + 1;
                    break;
            }
        }

        yield return text[start..];
    }
}
