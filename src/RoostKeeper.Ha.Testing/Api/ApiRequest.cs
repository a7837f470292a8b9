using System.Net;
using RoostKeeper.Ha.Testing.Authorization;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Api;

/// <summary>
/// A resource request decoded from its URL the way the API server's request-info resolver does it:
/// <c>/api/v1/namespaces/{ns}/{resource}/{name}/{subresource}</c> and <c>/apis/{group}/{version}/...</c>.
/// </summary>
internal sealed record ApiRequest(ResourceType Type, string? Namespace, string? Name, string? Subresource, string Verb)
{
    /// <summary>The resource as request counts name it: "leases" or "deployments/status".</summary>
    public string Resource => Subresource is null ? Type.Plural : $"{Type.Plural}/{Subresource}";

    /// <summary>A resource request's attributes; a list or watch narrowed to one name by fieldSelector carries that name, as in the real request-info resolver.</summary>
    public RequestAttributes Attributes(ClusterIdentity user, string? fieldSelector)
    {
        var name = Name ?? "";
        if (name.Length == 0 && Verb is "list" or "watch" && fieldSelector is { Length: > 0 })
        {
            foreach (var term in fieldSelector.Split(','))
            {
                var parts = term.Split(term.Contains("==", StringComparison.Ordinal) ? "==" : "=", 2);
                if (parts is ["metadata.name", var value] && !term.Contains("!=", StringComparison.Ordinal))
                {
                    name = value;
                }
            }
        }

        return new RequestAttributes(user, Verb, true, Type.Group, Type.Version, Type.Plural,
            Subresource ?? "", Namespace ?? "", name);
    }

    /// <summary>
    /// Decodes a resource URL, or returns null for a path that is not one (discovery, /version).
    /// Throws 404 for a group/version/resource the server does not serve.
    /// </summary>
    public static ApiRequest? Parse(string method, string path, bool watchQuery, ResourceRegistry registry)
    {
        var segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        string group;
        string version;
        int rest;
        if (segments is ["api", var v, _, ..])
        {
            (group, version, rest) = ("", v, 2);
        }
        else if (segments is ["apis", var g, var v2, _, ..])
        {
            (group, version, rest) = (g, v2, 3);
        }
        else
        {
            return null;
        }

        var parts = segments[rest..];
        var watchPath = false;
        if (parts is ["watch", _, ..])
        {
            watchPath = true;
            parts = parts[1..];
        }

        string? ns = null;
        if (parts is ["namespaces", var nsName, var plural, ..] && registry.Find(group, version, plural) is { Namespaced: true })
        {
            ns = nsName;
            parts = parts[2..];
        }

        var type = registry.Find(group, version, parts[0])
            ?? throw new ApiException(HttpStatusCode.NotFound, "NotFound", $"the server could not find the requested resource ({path})");
        var name = parts.Length > 1 ? parts[1] : null;
        var subresource = parts.Length > 2 ? string.Join('/', parts[2..]) : null;
        if (type.Namespaced && ns is null && name is not null)
        {
            throw new ApiException(HttpStatusCode.NotFound, "NotFound", $"the server could not find the requested resource: {type.QualifiedPlural} are namespaced ({path})");
        }

        var verb = method switch
        {
            "GET" when watchPath || watchQuery => "watch",
            "GET" when name is null => "list",
            "GET" => "get",
            "POST" when name is null => "create",
            "PUT" when name is not null => "update",
            "PATCH" when name is not null => "patch",
            "DELETE" when name is null => "deletecollection",
            "DELETE" => "delete",
            _ => throw ApiException.MethodNotAllowed($"the server does not allow this method on the requested resource ({method} {path})"),
        };
        return new ApiRequest(type, ns, name, subresource, verb);
    }
}
