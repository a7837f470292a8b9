using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Testing.Resources;

/// <summary>
/// A field selector such as <c>metadata.name=x,status.phase!=Running</c>. The real server accepts only a
/// few fields per type; the simulation accepts any dotted path to a scalar, which is a superset.
/// </summary>
internal sealed class FieldSelector
{
    private readonly List<(string[] Path, string Value, bool Equal)> _terms;

    private FieldSelector(List<(string[] Path, string Value, bool Equal)> terms) => _terms = terms;

    public static FieldSelector Everything { get; } = new([]);

    /// <summary>The name this selector pins with <c>metadata.name=</c>, if any.</summary>
    public string? Name => _terms.FirstOrDefault(t => t.Equal && t.Path is ["metadata", "name"]).Value;

    public static FieldSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var terms = new List<(string[] Path, string Value, bool Equal)>();
        foreach (var term in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var ne = term.IndexOf("!=", StringComparison.Ordinal);
            var eq = term.IndexOf('=', StringComparison.Ordinal);
            if (ne > 0)
            {
                terms.Add((term[..ne].Split('.'), term[(ne + 2)..], false));
            }
            else if (eq > 0)
            {
                terms.Add((term[..eq].Split('.'), term[(eq + 1)..].TrimStart('='), true));
            }
            else
            {
                throw ApiException.BadRequest($"invalid field selector \"{text}\": \"{term}\" is not of the form field=value or field!=value");
            }
        }

        return new FieldSelector(terms);
    }

    public bool Matches(JsonObject obj)
    {
        foreach (var (path, value, equal) in _terms)
        {
            JsonNode? node = obj;
            foreach (var segment in path)
            {
                node = (node as JsonObject)?[segment];
            }

            var actual = node is JsonValue v ? v.ToString() : "";
            if ((actual == value) != equal)
            {
                return false;
            }
        }

        return true;
    }
}
