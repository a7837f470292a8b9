using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace RoostKeeper.Ha.Testing.Admission.Schema;

/// <summary>
/// A custom resource checked against its version's <c>openAPIV3Schema</c> as apiextensions does it with
/// kube-openapi: type (and int-or-string, nullable), required, enum, format, minimum and maximum (exclusive
/// too), lengths, pattern and item counts; each failure a field error with the path and the wording the v1.33
/// server sends (<c>spec.replicas in body must be of type integer: "string"</c>).
/// </summary>
internal static partial class SchemaValidator
{
    private static readonly HashSet<string> RootFields = ["apiVersion", "kind", "metadata"];

    public static void Validate(JsonObject obj, JsonObject schema, FieldErrors errors) => Check(obj, schema, "", errors, isRoot: true);

    private static void Check(JsonNode? node, JsonObject schema, string path, FieldErrors errors, bool isRoot = false)
    {
        var type = schema["type"] is JsonValue t ? t.GetValue<string>() : null;
        var actual = TypeOf(node);
        if (node is null)
        {
            if (!StructuralSchema.IsNullable(schema) && type is not null)
            {
                errors.Add(TypeError(path, type, "null"));
            }

            return;
        }

        if (schema["x-kubernetes-int-or-string"] is JsonValue ios && ios.GetValueKind() == JsonValueKind.True)
        {
            if (actual is not ("integer" or "string"))
            {
                errors.Add(TypeError(path, "integer,string", actual));
                return;
            }
        }
        else if (type is not null && !(type == actual || (type == "number" && actual == "integer")))
        {
            errors.Add(TypeError(path, type, actual));
            return;
        }

        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, node)))
        {
            errors.Add(FieldError.NotSupported(path, Render(node), allowed.Select(a => a is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : a?.ToJsonString() ?? "null").ToArray()) with { Value = RenderValue(node) });
        }

        switch (node)
        {
            case JsonValue value when actual is "integer" or "number":
                Number(value, schema, path, errors);
                break;
            case JsonValue value when actual == "string":
                Text(value.GetValue<string>(), schema, path, errors);
                break;
            case JsonArray array:
                if (Long(schema["maxItems"]) is { } maxItems && array.Count > maxItems)
                {
                    errors.Add(new FieldError("FieldValueTooMany", path, array.Count.ToString(CultureInfo.InvariantCulture), $"must have at most {maxItems} items"));
                }

                if (Long(schema["minItems"]) is { } minItems && array.Count < minItems)
                {
                    errors.Add(FieldError.Invalid(path, array.Count, $"{path} in body should have at least {minItems} items"));
                }

                if (schema["items"] is JsonObject items)
                {
                    for (var i = 0; i < array.Count; i++)
                    {
                        Check(array[i], items, $"{path}[{i}]", errors);
                    }
                }

                break;
            case JsonObject obj:
                foreach (var required in (schema["required"] as JsonArray ?? []).Select(r => r?.GetValue<string>()).OfType<string>())
                {
                    if (!obj.ContainsKey(required))
                    {
                        errors.Add(FieldError.Required(Join(path, required)));
                    }
                }

                var properties = schema["properties"] as JsonObject;
                var additional = schema["additionalProperties"] as JsonObject;
                foreach (var (key, child) in obj)
                {
                    if (isRoot && RootFields.Contains(key))
                    {
                        continue;
                    }

                    if ((properties?[key] as JsonObject ?? additional) is { } childSchema)
                    {
                        Check(child, childSchema, Join(path, key), errors);
                    }
                }

                break;
        }
    }

    private static void Number(JsonValue value, JsonObject schema, string path, FieldErrors errors)
    {
        var number = double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture);
        var rendered = value.ToJsonString();
        if (schema["minimum"] is JsonValue min)
        {
            var bound = double.Parse(min.ToJsonString(), CultureInfo.InvariantCulture);
            var exclusive = schema["exclusiveMinimum"] is JsonValue em && em.GetValueKind() == JsonValueKind.True;
            if (exclusive ? number <= bound : number < bound)
            {
                errors.Add(FieldError.InvalidRendered(path, rendered, $"{path} in body should be greater than {(exclusive ? "" : "or equal to ")}{min.ToJsonString()}"));
            }
        }

        if (schema["maximum"] is JsonValue max)
        {
            var bound = double.Parse(max.ToJsonString(), CultureInfo.InvariantCulture);
            var exclusive = schema["exclusiveMaximum"] is JsonValue em && em.GetValueKind() == JsonValueKind.True;
            if (exclusive ? number >= bound : number > bound)
            {
                errors.Add(FieldError.InvalidRendered(path, rendered, $"{path} in body should be less than {(exclusive ? "" : "or equal to ")}{max.ToJsonString()}"));
            }
        }

        var format = schema["format"] is JsonValue f ? f.GetValue<string>() : null;
        if ((format == "int32" && (number < int.MinValue || number > int.MaxValue)) || (format is "int32" or "int64" && number != Math.Floor(number)))
        {
            errors.Add(FieldError.InvalidRendered(path, rendered, $"{path} in body must be of type {format}: {FieldError.Quote(rendered)}"));
        }
    }

    private static void Text(string text, JsonObject schema, string path, FieldErrors errors)
    {
        var length = text.EnumerateRunes().Count();
        if (Long(schema["maxLength"]) is { } maxLength && length > maxLength)
        {
            errors.Add(new FieldError("FieldValueTooLong", path, null, $"may not be longer than {maxLength}"));
        }

        if (Long(schema["minLength"]) is { } minLength && length < minLength)
        {
            errors.Add(FieldError.Invalid(path, text, $"{path} in body should be at least {minLength} chars long"));
        }

        if (schema["pattern"] is JsonValue pattern && !Regex.IsMatch(text, pattern.GetValue<string>(), RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            errors.Add(FieldError.Invalid(path, text, $"{path} in body should match '{pattern.GetValue<string>()}'"));
        }

        if (schema["format"] is JsonValue format && !FormatHolds(format.GetValue<string>(), text))
        {
            errors.Add(FieldError.Invalid(path, text, $"{path} in body must be of type {format.GetValue<string>()}: {FieldError.Quote(text)}"));
        }
    }

    /// <summary>The formats apiextensions checks that controllers use most; others are accepted as any string.</summary>
    private static bool FormatHolds(string format, string text) => format switch
    {
        "date-time" or "datetime" => Rfc3339().IsMatch(text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        "date" => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        "uuid" => Guid.TryParseExact(text, "D", out _),
        "byte" => text.Length % 4 == 0 && Convert.TryFromBase64String(text, new byte[text.Length], out _),
        "ipv4" => System.Net.IPAddress.TryParse(text, out var v4) && v4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && text.Count(c => c == '.') == 3,
        "ipv6" => System.Net.IPAddress.TryParse(text, out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6,
        _ => true,
    };

    private static FieldError TypeError(string path, string expected, string actual) =>
        new("FieldValueTypeInvalid", path, FieldError.Quote(actual), $"{path} in body must be of type {expected}: {FieldError.Quote(actual)}");

    private static string TypeOf(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Number => IsWhole(v) ? "integer" : "number",
            _ => "null",
        },
        _ => "null",
    };

    private static bool IsWhole(JsonValue v) => long.TryParse(v.ToJsonString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out _);

    private static string Render(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : node?.ToJsonString() ?? "null";

    private static string RenderValue(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? FieldError.Quote(v.GetValue<string>()) : node?.ToJsonString() ?? "null";

    private static long? Long(JsonNode? node) => node is JsonValue v && long.TryParse(v.ToJsonString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})\z")]
    private static partial Regex Rfc3339();
}
