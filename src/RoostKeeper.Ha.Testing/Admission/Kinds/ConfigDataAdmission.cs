using System.Text;
using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Admission.Kinds;

/// <summary>
/// ConfigMaps and Secrets: valid data keys, and once <c>immutable: true</c> is stored, data and the flag itself
/// can no longer change. A Secret's <c>stringData</c> is merged into <c>data</c> (base64) and dropped, as the
/// v1 conversion does, its type defaults to Opaque and is immutable.
/// </summary>
internal sealed class ConfigDataAdmission(bool isSecret) : KindAdmission
{
    public override void Default(JsonObject obj, AdmissionContext context)
    {
        if (!isSecret)
        {
            return;
        }

        obj["type"] ??= "Opaque";
        if (obj["stringData"] is JsonObject stringData)
        {
            var data = JsonFields.Object(obj, "data");
            foreach (var (key, value) in stringData)
            {
                data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(GoValues.Text(value)));
            }
        }

        obj.Remove("stringData");
    }

    public override void ValidateCreate(JsonObject obj, FieldErrors errors)
    {
        var dataKeys = Keys(obj["data"]).ToHashSet(StringComparer.Ordinal);
        foreach (var key in dataKeys)
        {
            errors.AddRange(NameRules.ConfigMapKey(key).Select(m => FieldError.Invalid($"data[{key}]", key, m)));
        }

        if (!isSecret)
        {
            foreach (var key in Keys(obj["binaryData"]))
            {
                errors.AddRange(NameRules.ConfigMapKey(key).Select(m => FieldError.Invalid($"binaryData[{key}]", key, m)));
                if (dataKeys.Contains(key))
                {
                    errors.Add(FieldError.Invalid($"binaryData[{key}]", key, "duplicate of key present in data"));
                }
            }
        }
    }

    public override void ValidateUpdate(JsonObject obj, JsonObject old, FieldErrors errors)
    {
        ValidateCreate(obj, errors);
        if (isSecret && GoValues.Text(obj["type"]) != GoValues.Text(old["type"]))
        {
            errors.Add(FieldError.Invalid("type", GoValues.Text(obj["type"]), "field is immutable"));
        }

        if (!JsonFields.Bool(old["immutable"]))
        {
            return;
        }

        if (!JsonFields.Bool(obj["immutable"]))
        {
            errors.Add(FieldError.Forbidden("immutable", "field is immutable when `immutable` is set"));
        }

        foreach (var field in isSecret ? new[] { "data" } : ["data", "binaryData"])
        {
            if (!SameMap(obj[field], old[field]))
            {
                errors.Add(FieldError.Forbidden(field, "field is immutable when `immutable` is set"));
            }
        }
    }

    private static IEnumerable<string> Keys(JsonNode? map) => map is JsonObject o ? o.Select(p => p.Key) : [];

    // An empty map and a missing one are the same Go map (reflect.DeepEqual of nil and empty differs, but the
    // decoder gives nil for both an omitted and an empty JSON object on these fields).
    private static bool SameMap(JsonNode? a, JsonNode? b) =>
        (a is not JsonObject { Count: > 0 } && b is not JsonObject { Count: > 0 }) || JsonNode.DeepEquals(a, b);
}
