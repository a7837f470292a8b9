using System.Text;
using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Admission;

/// <summary>
/// apimachinery's ValidateObjectMeta and ValidateObjectMetaUpdate, run for every kind: the name by the kind's
/// rule, label keys and values, annotation keys and their total size (256 KiB), owner references, finalizer
/// names, and on update no new finalizers once the object is being deleted.
/// </summary>
internal static class ObjectMetaValidation
{
    public const int TotalAnnotationSizeLimit = 256 * 1024;

    public static void ValidateCreate(JsonObject obj, NameRules.NameRule nameRule, FieldErrors errors)
    {
        var name = ObjectMeta.Name(obj);
        if (name.Length == 0)
        {
            errors.Add(FieldError.Required("metadata.name", "name or generateName is required"));
        }
        else
        {
            errors.AddRange(nameRule(name).Select(m => FieldError.Invalid("metadata.name", name, m)));
        }

        ValidateCommon(obj, errors);
    }

    public static void ValidateUpdate(JsonObject obj, JsonObject old, FieldErrors errors)
    {
        if (ObjectMeta.IsDeleting(old))
        {
            var added = Strings(obj["metadata"]?["finalizers"]).Except(Strings(old["metadata"]?["finalizers"]), StringComparer.Ordinal)
                .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            if (added.Count > 0)
            {
                errors.Add(FieldError.Forbidden("metadata.finalizers",
                    $"no new finalizers can be added if the object is being deleted, found new finalizers {FieldError.GoStrings(added)}"));
            }
        }

        ValidateCommon(obj, errors);
    }

    private static void ValidateCommon(JsonObject obj, FieldErrors errors)
    {
        var metadata = obj["metadata"] as JsonObject;
        foreach (var (key, value) in Pairs(metadata?["labels"]))
        {
            errors.AddRange(NameRules.QualifiedName(key).Select(m => FieldError.Invalid("metadata.labels", key, m)));
            errors.AddRange(NameRules.LabelValue(value).Select(m => FieldError.Invalid("metadata.labels", value, m)));
        }

        var annotationBytes = 0L;
        foreach (var (key, value) in Pairs(metadata?["annotations"]))
        {
            // The rule is QualifiedName except that case does not matter.
            errors.AddRange(NameRules.QualifiedName(key.ToLowerInvariant()).Select(m => FieldError.Invalid("metadata.annotations", key, m)));
            annotationBytes += Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value);
        }

        if (annotationBytes > TotalAnnotationSizeLimit)
        {
            errors.Add(FieldError.TooLong("metadata.annotations", TotalAnnotationSizeLimit));
        }

        ValidateOwnerReferences(metadata?["ownerReferences"] as JsonArray, errors);
        var finalizers = Strings(metadata?["finalizers"]).ToList();
        foreach (var finalizer in finalizers)
        {
            errors.AddRange(NameRules.QualifiedName(finalizer).Select(m => FieldError.Invalid("metadata.finalizers", finalizer, m)));
        }

        if (finalizers.Contains("orphan") && finalizers.Contains("foregroundDeletion"))
        {
            errors.Add(FieldError.InvalidRendered("metadata.finalizers", FieldError.GoStrings(finalizers), "finalizer orphan and foregroundDeletion cannot be both set"));
        }
    }

    private static void ValidateOwnerReferences(JsonArray? references, FieldErrors errors)
    {
        string? firstController = null;
        foreach (var reference in (references ?? []).OfType<JsonObject>())
        {
            var apiVersion = Text(reference["apiVersion"]);
            var version = apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion[(apiVersion.IndexOf('/', StringComparison.Ordinal) + 1)..] : apiVersion;
            if (version.Length == 0)
            {
                errors.Add(FieldError.Invalid("metadata.ownerReferences.apiVersion", apiVersion, "version must not be empty"));
            }

            foreach (var field in new[] { "kind", "name", "uid" })
            {
                if (Text(reference[field]).Length == 0)
                {
                    errors.Add(FieldError.Invalid("metadata.ownerReferences." + field, "", "must not be empty"));
                }
            }

            if (reference["controller"] is JsonValue controller && controller.TryGetValue<bool>(out var isController) && isController)
            {
                var current = Text(reference["kind"]) + "/" + Text(reference["name"]);
                if (firstController is null)
                {
                    firstController = current;
                }
                else
                {
                    // The server prints the whole []OwnerReference with %#v; the simulator prints the list as JSON.
                    errors.Add(FieldError.InvalidRendered("metadata.ownerReferences", references!.ToJsonString(),
                        $"Only one reference can have Controller set to true. Found \"true\" in references for {firstController} and {current}"));
                }
            }
        }
    }

    private static IEnumerable<(string Key, string Value)> Pairs(JsonNode? map) =>
        map is JsonObject o ? o.Select(p => (p.Key, Text(p.Value))) : [];

    private static IEnumerable<string> Strings(JsonNode? list) => list is JsonArray a ? a.Select(Text) : [];

    private static string Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node?.ToJsonString() ?? "";
}
