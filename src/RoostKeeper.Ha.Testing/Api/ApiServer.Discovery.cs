using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Api;

/// <summary>The paths that are not resources: /version, discovery (/api, /apis and their group-versions, with categories), /openapi/v3, and /healthz, /livez and /readyz.</summary>
internal sealed partial class ApiServer
{
    private async Task ServeDiscoveryAsync(HttpContext context)
    {
        var path = (context.Request.Path.Value ?? "/").TrimEnd('/');
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments is [("healthz" or "livez" or "readyz") and var endpoint, ..])
        {
            await WriteHealthAsync(context, endpoint, segments.Length > 1 ? segments[1] : null).ConfigureAwait(false);
            return;
        }

        var types = _store.Registry.All();
        JsonObject? body = segments switch
        {
            ["version"] => new JsonObject
            {
                ["major"] = "1",
                ["minor"] = "34",
                ["gitVersion"] = "v1.34.0-roostha-simulated",
                ["platform"] = "linux/amd64",
            },
            ["api"] => new JsonObject { ["kind"] = "APIVersions", ["versions"] = new JsonArray("v1") },
            ["openapi", "v3"] => OpenApiDocuments.Index(types),
            ["openapi", "v3", "api", var coreVersion] => OpenApiDocuments.Document("", coreVersion, types),
            ["openapi", "v3", "apis", var apiGroup, var apiVersion] => OpenApiDocuments.Document(apiGroup, apiVersion, types),
            ["api", "v1"] => ResourceList("", "v1", types),
            ["apis"] => new JsonObject
            {
                ["kind"] = "APIGroupList",
                ["apiVersion"] = "v1",
                ["groups"] = new JsonArray(types.Where(t => t.Group.Length > 0).GroupBy(t => t.Group).Select(g => (JsonNode?)Group(g.Key, g)).ToArray()),
            },
            ["apis", var group] when types.Any(t => t.Group == group) => Group(group, types.Where(t => t.Group == group)),
            ["apis", var group, var version] when _store.Registry.ServesGroupVersion(group, version) => ResourceList(group, version, types),
            _ => null,
        };
        if (body is null)
        {
            throw new ApiException(HttpStatusCode.NotFound, "NotFound", $"the server could not find the requested resource ({path})");
        }

        await WriteAsync(context, HttpStatusCode.OK, body).ConfigureAwait(false);
    }

    /// <summary>
    /// /healthz, /livez and /readyz as the API server answers them: "ok" in plain text, one named check
    /// (e.g. /readyz/ping), or with <c>?verbose</c> a line per check and the verdict.
    /// </summary>
    private static async Task WriteHealthAsync(HttpContext context, string endpoint, string? check)
    {
        string[] checks = ["ping", "log", "etcd", "poststarthook/start-apiextensions-controllers"];
        if (check is not null && !checks.Contains(check))
        {
            context.Response.StatusCode = (int)HttpStatusCode.NotFound;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync($"no such {endpoint} check: {check}\n", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = (int)HttpStatusCode.OK;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers["X-Content-Type-Options"] = "nosniff";
        var text = context.Request.Query.ContainsKey("verbose") && check is null
            ? string.Concat(checks.Select(c => $"[+]{c} ok\n")) + $"{endpoint} check passed\n"
            : "ok";
        await context.Response.WriteAsync(text, context.RequestAborted).ConfigureAwait(false);
    }

    private static JsonObject Group(string name, IEnumerable<ResourceType> types)
    {
        var versions = types.Select(t => t.Version).Distinct().Select(v => (JsonNode?)new JsonObject { ["groupVersion"] = $"{name}/{v}", ["version"] = v }).ToArray();
        return new JsonObject
        {
            ["kind"] = "APIGroup",
            ["apiVersion"] = "v1",
            ["name"] = name,
            ["versions"] = new JsonArray(versions),
            ["preferredVersion"] = versions[0]!.DeepClone(),
        };
    }

    private static JsonObject ResourceList(string group, string version, IEnumerable<ResourceType> types)
    {
        var resources = new JsonArray();
        foreach (var type in types.Where(t => t.Group == group && t.Version == version))
        {
            resources.Add(new JsonObject
            {
                ["name"] = type.Plural,
                ["singularName"] = type.Singular ?? "",
                ["namespaced"] = type.Namespaced,
                ["kind"] = type.Kind,
                ["verbs"] = new JsonArray(type.Verbs.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
                ["shortNames"] = new JsonArray((type.ShortNames ?? []).Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
                ["categories"] = new JsonArray((type.Categories ?? []).Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
            });
            if (type.HasStatusSubresource)
            {
                resources.Add(new JsonObject { ["name"] = $"{type.Plural}/status", ["singularName"] = "", ["namespaced"] = type.Namespaced, ["kind"] = type.Kind, ["verbs"] = new JsonArray("get", "patch", "update") });
            }

            if (type.Scale is not null)
            {
                resources.Add(new JsonObject
                {
                    ["name"] = $"{type.Plural}/scale", ["singularName"] = "", ["namespaced"] = type.Namespaced,
                    ["group"] = "autoscaling", ["version"] = "v1", ["kind"] = "Scale", ["verbs"] = new JsonArray("get", "patch", "update"),
                });
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }
}
