using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s.Models;
using RoostKeeper.Ha.Testing.Patching;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Api;

/// <summary>
/// The component schemas of the built-in kinds in <c>/openapi/v3</c>, generated from KubernetesClient's
/// models (the same Kubernetes OpenAPI the real server publishes, less its descriptions): properties and
/// their types, <c>$ref</c>s to nested types, IntOrString and Quantity as the real components, and the
/// <c>x-kubernetes-patch-strategy</c>/<c>merge-key</c> of exactly the lists the simulator's strategic merge
/// patch merges by key, so that kubectl, which computes its patches from these schemas, computes the ones
/// this server applies. <c>kubectl explain</c> reads them.
/// </summary>
internal static partial class OpenApiSchemas
{
    private const string IntOrStringName = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
    private const string QuantityName = "io.k8s.apimachinery.pkg.api.resource.Quantity";
    private const string TimeName = "io.k8s.apimachinery.pkg.apis.meta.v1.Time";

    /// <summary>Adds the schema of <paramref name="type"/>'s model, and of every type it refers to, to <paramref name="schemas"/>.</summary>
    public static void AddBuiltIn(ResourceType type, JsonObject gvk, JsonObject schemas)
    {
        if (FieldValidation.ModelOf(type) is not { } model)
        {
            return;
        }

        var name = Add(model, schemas);
        ((JsonObject)schemas[name]!)["x-kubernetes-group-version-kind"] = new JsonArray(gvk.DeepClone());
    }

    /// <summary>A custom resource's schema with apiVersion, kind and metadata, as the real server publishes it.</summary>
    public static JsonObject ForCustomResource(JsonObject schema, JsonObject schemas)
    {
        var component = (JsonObject)schema.DeepClone();
        if (component["properties"] is not JsonObject properties)
        {
            properties = [];
            component["properties"] = properties;
        }

        properties["apiVersion"] ??= new JsonObject { ["type"] = "string" };
        properties["kind"] ??= new JsonObject { ["type"] = "string" };
        properties["metadata"] = Reference(Add(typeof(V1ObjectMeta), schemas));
        return component;
    }

    /// <summary>"io.k8s.v1.ObjectMeta" for V1ObjectMeta: kubectl shows the last segment as the field's type.</summary>
    private static string NameOf(Type model)
    {
        var match = VersionPrefix().Match(model.Name);
        return match.Success ? $"io.k8s.{match.Value.ToLowerInvariant()}.{model.Name[match.Length..]}" : $"io.k8s.{model.Name}";
    }

    private static string Add(Type model, JsonObject schemas)
    {
        var name = NameOf(model);
        if (schemas.ContainsKey(name))
        {
            return name;
        }

        var properties = new JsonObject();
        var schema = new JsonObject { ["type"] = "object", ["properties"] = properties };
        schemas[name] = schema; // before the properties: a type may refer to itself (JSONSchemaProps)
        foreach (var (field, propertyType) in FieldValidation.PropertiesOf(model).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var property = SchemaOf(propertyType, schemas);
            if (FieldValidation.ListItemType(propertyType) is { } item && propertyType != typeof(byte[]))
            {
                var parent = model == typeof(V1Container) || model == typeof(V1EphemeralContainer) ? "containers" : null;
                if (FieldValidation.IsModel(Nullable.GetUnderlyingType(item) ?? item) && StrategicMergePatch.MergeKeyFor(field, parent) is { } key)
                {
                    property["x-kubernetes-patch-strategy"] = "merge";
                    property["x-kubernetes-patch-merge-key"] = key;
                }
                else if (StrategicMergePatch.IsPrimitiveMergeList(field))
                {
                    property["x-kubernetes-patch-strategy"] = "merge";
                }
            }

            properties[field] = property;
        }

        return name;
    }

    private static JsonObject SchemaOf(Type type, JsonObject schemas)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(string))
        {
            return new JsonObject { ["type"] = "string" };
        }

        if (t == typeof(bool))
        {
            return new JsonObject { ["type"] = "boolean" };
        }

        if (t == typeof(int) || t == typeof(long))
        {
            return new JsonObject { ["type"] = "integer", ["format"] = t == typeof(int) ? "int32" : "int64" };
        }

        if (t == typeof(double) || t == typeof(float))
        {
            return new JsonObject { ["type"] = "number", ["format"] = "double" };
        }

        if (t == typeof(byte[]))
        {
            return new JsonObject { ["type"] = "string", ["format"] = "byte" };
        }

        if (t == typeof(DateTime) || t == typeof(DateTimeOffset))
        {
            schemas[TimeName] ??= new JsonObject { ["type"] = "string", ["format"] = "date-time" };
            return Reference(TimeName);
        }

        if (t == typeof(IntOrString))
        {
            schemas[IntOrStringName] ??= new JsonObject { ["type"] = "string", ["format"] = "int-or-string" };
            return Reference(IntOrStringName);
        }

        if (t == typeof(ResourceQuantity))
        {
            schemas[QuantityName] ??= new JsonObject { ["type"] = "string" };
            return Reference(QuantityName);
        }

        if (FieldValidation.DictionaryValueType(t) is { } value)
        {
            return new JsonObject { ["type"] = "object", ["additionalProperties"] = SchemaOf(value, schemas) };
        }

        if (FieldValidation.ListItemType(t) is { } item)
        {
            return new JsonObject { ["type"] = "array", ["items"] = SchemaOf(item, schemas) };
        }

        return FieldValidation.IsModel(t)
            ? Reference(Add(t, schemas))
            : new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true };
    }

    private static JsonObject Reference(string name) => new() { ["$ref"] = $"#/components/schemas/{name}" };

    [GeneratedRegex(@"^(?:[A-Z][a-z]+)?[Vv]\d+(?:(?:alpha|beta)\d+)?(?=[A-Z])")]
    private static partial Regex VersionPrefix();
}
