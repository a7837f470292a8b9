using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Testing.Resources;

/// <summary>
/// Tolerant reads of wire-format fields. Numbers may be backed by an int, a long or a parsed JSON element
/// depending on who wrote them, and <c>GetValue&lt;T&gt;</c> only converts some of those, so go through text.
/// </summary>
internal static class JsonFields
{
    public static long? Long(JsonNode? node)
    {
        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.Number)
        {
            return null;
        }

        var text = value.ToJsonString();
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole)
            ? whole
            : (long)double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    public static int Int(JsonNode? node, int fallback) => Long(node) is { } n ? (int)Math.Clamp(n, int.MinValue, int.MaxValue) : fallback;

    public static string? String(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    public static bool Bool(JsonNode? node) => node is JsonValue value && value.GetValueKind() == JsonValueKind.True;

    public static JsonObject Object(JsonObject parent, string name)
    {
        if (parent[name] is JsonObject existing)
        {
            return existing;
        }

        var created = new JsonObject();
        parent[name] = created;
        return created;
    }

    public static DateTimeOffset? Time(JsonNode? node) =>
        String(node) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
}
