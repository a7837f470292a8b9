using System.Net;
using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Authorization;

/// <summary>The API server's 403 for a refused request, with its message word for word (responsewriters.Forbidden).</summary>
internal static class Forbidden
{
    public static ApiException For(RequestAttributes request, string reason)
    {
        var message = Describe(request);
        if (reason.Length > 0)
        {
            message += ": " + reason;
        }

        var groupResource = request.Resource.Length == 0 ? "" : request.Group.Length == 0 ? request.Resource : $"{request.Resource}.{request.Group}";
        var text = groupResource.Length == 0 ? $"forbidden: {message}"
            : request.Name.Length == 0 ? $"{groupResource} is forbidden: {message}"
            : $"{groupResource} \"{request.Name}\" is forbidden: {message}";
        var details = new JsonObject();
        if (request.Name.Length > 0)
        {
            details["name"] = request.Name;
        }

        if (request.Group.Length > 0)
        {
            details["group"] = request.Group;
        }

        if (request.Resource.Length > 0)
        {
            details["kind"] = request.Resource;
        }

        return new ApiException(HttpStatusCode.Forbidden, "Forbidden", text, details);
    }

    /// <summary>"User "u" cannot get resource "pods/log" in API group "" in the namespace "ns"" and its other forms.</summary>
    private static string Describe(RequestAttributes request)
    {
        var user = request.User.UserName;
        if (!request.IsResourceRequest)
        {
            return $"User \"{user}\" cannot {request.Verb} path \"{request.Path}\"";
        }

        var scope = request.Namespace.Length > 0 ? $"in the namespace \"{request.Namespace}\"" : "at the cluster scope";
        return $"User \"{user}\" cannot {request.Verb} resource \"{request.CombinedResource}\" in API group \"{request.Group}\" {scope}";
    }
}
