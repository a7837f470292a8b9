using System.Globalization;
using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Testing.Resources;

/// <summary>Reads and writes the metadata fields of a JSON object.</summary>
internal static class ObjectMeta
{
    public static JsonObject Of(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject metadata)
        {
            return metadata;
        }

        metadata = new JsonObject();
        obj["metadata"] = metadata;
        return metadata;
    }

    public static string Name(JsonObject obj) => obj["metadata"]?["name"]?.GetValue<string>() ?? "";

    public static string? Namespace(JsonObject obj) => obj["metadata"]?["namespace"]?.GetValue<string>();

    public static string? Uid(JsonObject obj) => obj["metadata"]?["uid"]?.GetValue<string>();

    public static string? ResourceVersion(JsonObject obj) => obj["metadata"]?["resourceVersion"]?.GetValue<string>();

    /// <summary>metadata.generation, whether the node holds a parsed JSON number or a CLR integer of any width.</summary>
    public static long Generation(JsonObject obj) =>
        obj["metadata"]?["generation"] is JsonValue value
            ? value.TryGetValue<long>(out var wide) ? wide : value.TryGetValue<int>(out var narrow) ? narrow : 0
            : 0;

    public static bool IsDeleting(JsonObject obj) => obj["metadata"]?["deletionTimestamp"] is not null;

    public static bool HasFinalizers(JsonObject obj) => obj["metadata"]?["finalizers"] is JsonArray { Count: > 0 };

    public static string? Label(JsonObject obj, string key) => obj["metadata"]?["labels"]?[key]?.GetValue<string>();

    public static string? Annotation(JsonObject obj, string key) => obj["metadata"]?["annotations"]?[key]?.GetValue<string>();

    public static void SetAnnotation(JsonObject obj, string key, string value)
    {
        var metadata = Of(obj);
        if (metadata["annotations"] is not JsonObject annotations)
        {
            annotations = new JsonObject();
            metadata["annotations"] = annotations;
        }

        annotations[key] = value;
    }

    public static IEnumerable<string> OwnerUids(JsonObject obj) =>
        (obj["metadata"]?["ownerReferences"] as JsonArray ?? []).Select(r => r?["uid"]?.GetValue<string>()).OfType<string>();

    public static string? ControllerUid(JsonObject obj) =>
        (obj["metadata"]?["ownerReferences"] as JsonArray ?? [])
            .FirstOrDefault(r => r?["controller"]?.GetValue<bool>() == true)?["uid"]?.GetValue<string>();

    /// <summary>RFC 3339 with second precision, as metav1.Time is written.</summary>
    public static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
