using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Api;

/// <summary>
/// <c>/openapi/v3</c>: the index of group-versions and one OpenAPI 3 document per group-version, as the API
/// server publishes them. What they contain is what clients read from them: every resource's paths with
/// their operations, the query parameters the server honours (kubectl's <c>apply</c> checks that PATCH takes
/// <c>fieldValidation</c> before it leaves validation to the server), the
/// <c>x-kubernetes-group-version-kind</c> of each operation, for custom resources the CRD's own schema, and for
/// built-in kinds the schemas of <see cref="OpenApiSchemas"/> (what <c>kubectl explain</c> shows, with the
/// merge keys kubectl computes strategic merge patches from).
/// </summary>
internal static class OpenApiDocuments
{
    private static readonly string[] WriteParameters = ["dryRun", "fieldManager", "fieldValidation", "pretty"];

    /// <summary>The discovery index: group-version path to the URL of its document.</summary>
    public static JsonObject Index(IReadOnlyList<ResourceType> types)
    {
        var paths = new JsonObject();
        foreach (var gv in types.GroupBy(t => (t.Group, t.Version)).OrderBy(g => g.Key.Group, StringComparer.Ordinal).ThenBy(g => g.Key.Version, StringComparer.Ordinal))
        {
            var path = GroupVersionPath(gv.Key.Group, gv.Key.Version);
            var hash = Hash(Document(gv.Key.Group, gv.Key.Version, [.. gv]));
            paths[path] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{path}?hash={hash}" };
        }

        return new JsonObject { ["paths"] = paths };
    }

    /// <summary>The document of one group-version, or null when it is not served.</summary>
    public static JsonObject? Document(string group, string version, IReadOnlyList<ResourceType> types)
    {
        var served = types.Where(t => t.Group == group && t.Version == version).ToList();
        if (served.Count == 0)
        {
            return null;
        }

        var paths = new JsonObject();
        var schemas = new JsonObject();
        foreach (var type in served.OrderBy(t => t.Plural, StringComparer.Ordinal))
        {
            var gvk = new JsonObject { ["group"] = type.Group, ["version"] = type.Version, ["kind"] = type.Kind };
            var prefix = "/" + GroupVersionPath(type.Group, type.Version) + (type.Namespaced ? "/namespaces/{namespace}" : "");
            var parameters = type.Namespaced ? new JsonArray(PathParameter("namespace")) : [];
            paths[$"{prefix}/{type.Plural}"] = new JsonObject
            {
                ["parameters"] = parameters.DeepClone(),
                ["get"] = Operation("list", type, gvk, ["labelSelector", "fieldSelector", "limit", "continue", "resourceVersion", "watch", "timeoutSeconds"]),
                ["post"] = Operation("create", type, gvk, WriteParameters),
                ["delete"] = Operation("deletecollection", type, gvk, ["dryRun", "labelSelector", "fieldSelector", "propagationPolicy"]),
            };
            var itemParameters = (JsonArray)parameters.DeepClone();
            itemParameters.Add(PathParameter("name"));
            paths[$"{prefix}/{type.Plural}/{{name}}"] = new JsonObject
            {
                ["parameters"] = itemParameters,
                ["get"] = Operation("get", type, gvk, ["pretty"]),
                ["put"] = Operation("put", type, gvk, WriteParameters),
                ["patch"] = Operation("patch", type, gvk, [.. WriteParameters, "force"]),
                ["delete"] = Operation("delete", type, gvk, ["dryRun", "gracePeriodSeconds", "propagationPolicy"]),
            };
            if (type.Schema is { } schema)
            {
                var component = OpenApiSchemas.ForCustomResource(schema, schemas);
                component["x-kubernetes-group-version-kind"] = new JsonArray(gvk.DeepClone());
                schemas[SchemaName(type)] = component;
            }
            else if (!type.IsCustom)
            {
                OpenApiSchemas.AddBuiltIn(type, gvk, schemas);
            }
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.34.0-roostha-simulated" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = schemas },
        };
    }

    private static string GroupVersionPath(string group, string version) => group.Length == 0 ? $"api/{version}" : $"apis/{group}/{version}";

    /// <summary>"com.example.stable.v1.CronTab", the reversed-domain name the API server gives a custom resource's schema.</summary>
    private static string SchemaName(ResourceType type) =>
        string.Join('.', Enumerable.Reverse(type.Group.Split('.'))) + $".{type.Version}.{type.Kind}";

    private static JsonObject Operation(string action, ResourceType type, JsonObject gvk, IEnumerable<string> query) => new()
    {
        ["operationId"] = $"{action}{type.Kind}",
        ["parameters"] = new JsonArray(query.Select(q => (JsonNode?)new JsonObject
        {
            ["name"] = q,
            ["in"] = "query",
            ["schema"] = new JsonObject { ["type"] = q is "limit" or "timeoutSeconds" or "gracePeriodSeconds" ? "integer" : q is "watch" or "force" ? "boolean" : "string", ["uniqueItems"] = true },
        }).ToArray()),
        ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
        ["x-kubernetes-action"] = action,
        ["x-kubernetes-group-version-kind"] = gvk.DeepClone(),
    };

    private static JsonObject PathParameter(string name) => new()
    {
        ["name"] = name,
        ["in"] = "path",
        ["required"] = true,
        ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
    };

    private static string Hash(JsonObject? document) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(document?.ToJsonString() ?? "")))[..32];
}
