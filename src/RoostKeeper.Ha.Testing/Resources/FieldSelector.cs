using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Testing.Resources;

/// <summary>
/// A field selector such as <c>metadata.name=x,status.phase!=Running</c>, over the fields the kind supports
/// as the real server's field label conversion does: <c>metadata.name</c> and <c>metadata.namespace</c>
/// everywhere, plus the kind's <see cref="ResourceType.FieldLabels"/>; any other label is a 400
/// ("field label not supported: X").
/// </summary>
internal sealed class FieldSelector
{
    private static readonly FieldLabel MetadataName = new("metadata.name");
    private static readonly FieldLabel MetadataNamespace = new("metadata.namespace");

    private readonly List<(FieldLabel Field, string Value, bool Equal)> _terms;

    private FieldSelector(List<(FieldLabel Field, string Value, bool Equal)> terms) => _terms = terms;

    public static FieldSelector Everything { get; } = new([]);

    /// <summary>The name this selector pins with <c>metadata.name=</c>, if any.</summary>
    public string? Name => _terms.FirstOrDefault(t => t.Equal && t.Field == MetadataName).Value;

    /// <summary>Parses <paramref name="text"/> for <paramref name="type"/>; a label the kind does not support is a 400.</summary>
    public static FieldSelector Parse(string? text, ResourceType type)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var terms = new List<(FieldLabel Field, string Value, bool Equal)>();
        foreach (var term in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var ne = term.IndexOf("!=", StringComparison.Ordinal);
            var eq = term.IndexOf('=', StringComparison.Ordinal);
            if (ne > 0)
            {
                terms.Add((Label(term[..ne].Trim(), type), term[(ne + 2)..], false));
            }
            else if (eq > 0)
            {
                terms.Add((Label(term[..eq].Trim(), type), term[(eq + 1)..].TrimStart('='), true));
            }
            else
            {
                throw ApiException.BadRequest($"invalid field selector \"{text}\": \"{term}\" is not of the form field=value or field!=value");
            }
        }

        return new FieldSelector(terms);
    }

    private static FieldLabel Label(string label, ResourceType type) => label switch
    {
        "metadata.name" => MetadataName,
        "metadata.namespace" => MetadataNamespace,
        _ => type.FieldLabels.TryGetValue(label, out var field) ? field : throw ApiException.BadRequest($"field label not supported: {label}"),
    };

    public bool Matches(JsonObject obj)
    {
        foreach (var (field, value, equal) in _terms)
        {
            JsonNode? node = obj;
            foreach (var segment in field.Path.Split('.'))
            {
                node = (node as JsonObject)?[segment];
            }

            var actual = node is JsonValue v ? v.ToString() : field.Absent;
            if ((actual == value) != equal)
            {
                return false;
            }
        }

        return true;
    }
}
