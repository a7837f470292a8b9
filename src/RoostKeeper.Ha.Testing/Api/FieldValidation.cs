using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s.Models;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Api;

/// <summary>
/// The API server's field validation (<c>fieldValidation=Strict|Warn|Ignore</c>, default Warn): fields an
/// object's schema does not declare are refused with 400 (Strict) or reported in a <c>Warning</c> header
/// (Warn). A custom resource is checked against its CRD's <c>openAPIV3Schema</c>; a built-in type against
/// KubernetesClient's model of it (the same Kubernetes OpenAPI the real server validates with). Unknown
/// fields are not pruned: under Warn and Ignore the object is stored as sent.
/// </summary>
internal static class FieldValidation
{
    private static readonly ConcurrentDictionary<(string Group, string Version, string Kind), Type?> Models = new();
    private static readonly ConcurrentDictionary<Type, Dictionary<string, Type>> Properties = new();

    /// <summary>Reads the request's directive; throws 400 for a value the server does not know.</summary>
    public static string Directive(string? value) => value switch
    {
        null or "" => "Warn",
        "Strict" or "Warn" or "Ignore" => value,
        _ => throw ApiException.BadRequest($"fieldValidation: Unsupported value: \"{value}\": supported values: \"Ignore\", \"Strict\", \"Warn\""),
    };

    /// <summary>
    /// Checks <paramref name="obj"/>: throws 400 under Strict, returns the warnings to send under Warn, and
    /// nothing under Ignore.
    /// </summary>
    public static IReadOnlyList<string> Check(ResourceType type, JsonObject obj, string directive)
    {
        if (directive == "Ignore")
        {
            return [];
        }

        var unknown = new List<string>();
        if (type.IsCustom)
        {
            if (type.Schema is { } schema)
            {
                foreach (var (name, value) in obj)
                {
                    if (name is "apiVersion" or "kind" or "metadata")
                    {
                        continue;
                    }

                    WalkSchema(schema, name, value, name, unknown);
                }
            }
        }
        else if (ModelOf(type) is { } model)
        {
            WalkModel(model, obj, "", unknown);
        }

        if (unknown.Count == 0)
        {
            return [];
        }

        var messages = unknown.Select(path => $"unknown field \"{path}\"").ToList();
        if (directive == "Strict")
        {
            throw ApiException.BadRequest($"{type.Kind} in version \"{type.Version}\" cannot be handled as a {type.Kind}: strict decoding error: {string.Join(", ", messages)}");
        }

        return messages;
    }

    private static void WalkSchema(JsonObject parent, string name, JsonNode? value, string path, List<string> unknown)
    {
        if (JsonFields.Bool(parent["x-kubernetes-preserve-unknown-fields"]))
        {
            return;
        }

        if (parent["properties"] is JsonObject properties && properties[name] is JsonObject declared)
        {
            WalkValue(declared, value, path, unknown);
        }
        else if (parent["additionalProperties"] is JsonObject additional)
        {
            WalkValue(additional, value, path, unknown);
        }
        else if (parent["additionalProperties"]?.GetValueKind() != System.Text.Json.JsonValueKind.True)
        {
            unknown.Add(path);
        }
    }

    private static void WalkValue(JsonObject schema, JsonNode? value, string path, List<string> unknown)
    {
        switch (value)
        {
            case JsonObject obj when !JsonFields.Bool(schema["x-kubernetes-preserve-unknown-fields"])
                && !JsonFields.Bool(schema["x-kubernetes-embedded-resource"]):
                foreach (var (name, child) in obj)
                {
                    WalkSchema(schema, name, child, $"{path}.{name}", unknown);
                }

                break;
            case JsonArray array when schema["items"] is JsonObject items:
                for (var i = 0; i < array.Count; i++)
                {
                    WalkValue(items, array[i], $"{path}[{i}]", unknown);
                }

                break;
        }
    }

    private static void WalkModel(Type model, JsonNode? value, string path, List<string> unknown)
    {
        var element = Nullable.GetUnderlyingType(model) ?? model;
        switch (value)
        {
            case JsonObject obj when DictionaryValueType(element) is { } valueType:
                foreach (var (name, child) in obj)
                {
                    WalkModel(valueType, child, Join(path, name), unknown);
                }

                break;
            case JsonObject obj when IsModel(element):
                var properties = Properties.GetOrAdd(element, PropertiesOf);
                foreach (var (name, child) in obj)
                {
                    if (properties.TryGetValue(name, out var propertyType))
                    {
                        WalkModel(propertyType, child, Join(path, name), unknown);
                    }
                    else
                    {
                        unknown.Add(Join(path, name));
                    }
                }

                break;
            case JsonArray array when ListItemType(element) is { } itemType:
                for (var i = 0; i < array.Count; i++)
                {
                    WalkModel(itemType, array[i], $"{path}[{i}]", unknown);
                }

                break;
        }
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    /// <summary>A model class to look into; not the types that stand for free-form or scalar JSON.</summary>
    internal static bool IsModel(Type type) =>
        type.IsClass && type.Namespace == typeof(V1Pod).Namespace && type != typeof(IntOrString) && type != typeof(ResourceQuantity);

    internal static Type? DictionaryValueType(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() is var d && (d == typeof(IDictionary<,>) || d == typeof(Dictionary<,>))
            ? type.GetGenericArguments()[1]
            : null;

    internal static Type? ListItemType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) && type.GetGenericArguments() is [var item] ? item
        : null;

    /// <summary>A model's properties by JSON name.</summary>
    internal static Dictionary<string, Type> PropertiesOf(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Name: p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name, p.PropertyType))
            .Where(p => p.Name is not null)
            .GroupBy(p => p.Name!)
            .ToDictionary(g => g.Key, g => g.First().PropertyType);

    /// <summary>KubernetesClient's model of a built-in kind, or null when it has none.</summary>
    internal static Type? ModelOf(ResourceType type) =>
        Models.GetOrAdd((type.Group, type.Version, type.Kind), key => typeof(V1Pod).Assembly.GetTypes()
            .FirstOrDefault(t => t.GetCustomAttribute<KubernetesEntityAttribute>() is { } entity
                && entity.Group == key.Group && entity.ApiVersion == key.Version && entity.Kind == key.Kind));
}
