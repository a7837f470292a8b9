using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Testing.Api.Tables;

/// <summary>
/// The subset of JSONPath that CRD printer columns use: a dotted path from the object's root, with optional
/// <c>[n]</c> indexes (<c>.spec.replicas</c>, <c>.status.conditions[0].type</c>).
/// </summary>
internal static class SimpleJsonPath
{
    public static JsonNode? Select(JsonNode? root, string path)
    {
        var node = root;
        foreach (var part in path.TrimStart('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = part;
            var index = -1;
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            if (bracket >= 0 && part.EndsWith(']') && int.TryParse(part[(bracket + 1)..^1], out var i))
            {
                name = part[..bracket];
                index = i;
            }

            node = name.Length == 0 ? node : node is JsonObject obj ? obj[name] : null;
            if (index >= 0)
            {
                node = node is JsonArray array && index < array.Count ? array[index] : null;
            }

            if (node is null)
            {
                return null;
            }
        }

        return node;
    }
}
