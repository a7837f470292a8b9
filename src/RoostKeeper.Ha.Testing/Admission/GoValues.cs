using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Admission;

/// <summary>
/// Bad values rendered as the v1.33 server's <c>%#v</c> renders the Go types in its messages, e.g.
/// <c>map[string]string{"app":"web"}</c> and <c>v1.LabelSelector{MatchLabels:..., MatchExpressions:...}</c>.
/// </summary>
internal static class GoValues
{
    public static string StringMap(JsonNode? map) =>
        map is JsonObject o
            ? "map[string]string{" + string.Join(", ", o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => FieldError.Quote(p.Key) + ":" + FieldError.Quote(Text(p.Value)))) + "}"
            : "map[string]string(nil)";

    public static string LabelSelector(JsonNode? selector)
    {
        if (selector is not JsonObject s)
        {
            return "(*v1.LabelSelector)(nil)";
        }

        var expressions = s["matchExpressions"] is JsonArray { Count: > 0 } list
            ? "[]v1.LabelSelectorRequirement{" + string.Join(", ", list.OfType<JsonObject>().Select(e =>
                $"v1.LabelSelectorRequirement{{Key:{FieldError.Quote(Text(e["key"]))}, Operator:{FieldError.Quote(Text(e["operator"]))}, Values:{Strings(e["values"])}}}")) + "}"
            : "[]v1.LabelSelectorRequirement(nil)";
        return $"v1.LabelSelector{{MatchLabels:{StringMap(s["matchLabels"])}, MatchExpressions:{expressions}}}";
    }

    public static string Strings(JsonNode? list) =>
        list is JsonArray a ? FieldError.GoStrings(a.Select(Text)) : "[]string(nil)";

    public static string Text(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : node?.ToJsonString() ?? "";

    public static string Number(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v.ToJsonString() : Text(node);

    public static long? Long(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && long.TryParse(v.ToJsonString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
}
