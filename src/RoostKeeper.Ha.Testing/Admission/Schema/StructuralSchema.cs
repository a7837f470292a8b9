using System.Text.Json;
using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Testing.Admission.Schema;

/// <summary>
/// What apiextensions does to a custom resource with a structural schema before validation: unknown fields are
/// pruned (unless <c>x-kubernetes-preserve-unknown-fields</c>), nulls of non-nullable fields are dropped, and
/// schema <c>default</c>s are filled into absent fields, all recursively. The root's <c>apiVersion</c>,
/// <c>kind</c> and <c>metadata</c> are the server's, never pruned or defaulted here.
/// </summary>
internal static class StructuralSchema
{
    private static readonly HashSet<string> RootFields = ["apiVersion", "kind", "metadata"];

    public static void PruneAndDefault(JsonObject obj, JsonObject schema)
    {
        Walk(obj, schema, isRoot: true);
    }

    public static bool PreservesUnknown(JsonObject schema) => schema["x-kubernetes-preserve-unknown-fields"] is JsonValue v && v.GetValueKind() == JsonValueKind.True;

    public static bool IsNullable(JsonObject schema) => schema["nullable"] is JsonValue v && v.GetValueKind() == JsonValueKind.True;

    private static void Walk(JsonNode? node, JsonObject schema, bool isRoot = false)
    {
        switch (node)
        {
            case JsonObject obj:
                var properties = schema["properties"] as JsonObject;
                var additional = schema["additionalProperties"] as JsonObject;
                var embedded = schema["x-kubernetes-embedded-resource"] is JsonValue e && e.GetValueKind() == JsonValueKind.True;
                foreach (var (key, value) in obj.ToList())
                {
                    if ((isRoot || embedded) && RootFields.Contains(key))
                    {
                        continue;
                    }

                    var child = properties?[key] as JsonObject ?? additional;
                    if (child is null)
                    {
                        if (!PreservesUnknown(schema) && !(schema["additionalProperties"] is JsonValue any && any.GetValueKind() == JsonValueKind.True))
                        {
                            obj.Remove(key);
                        }

                        continue;
                    }

                    if (value is null && !IsNullable(child))
                    {
                        obj.Remove(key);
                        continue;
                    }

                    Walk(value, child);
                }

                foreach (var (key, property) in properties ?? [])
                {
                    if (property is JsonObject p && p["default"] is { } fallback && !obj.ContainsKey(key) && !((isRoot || embedded) && RootFields.Contains(key)))
                    {
                        obj[key] = fallback.DeepClone();
                        Walk(obj[key], p);
                    }
                }

                break;
            case JsonArray array when schema["items"] is JsonObject items:
                foreach (var item in array)
                {
                    Walk(item, items);
                }

                break;
        }
    }
}
