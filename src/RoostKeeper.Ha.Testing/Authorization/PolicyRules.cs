using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Testing.Authorization;

/// <summary>
/// Whether one RBAC <c>PolicyRule</c> allows a request, exactly as the RBAC authorizer's <c>RuleAllows</c> decides:
/// verbs and API groups match by name or <c>*</c>; resources by <c>*</c>, by <c>resource/subresource</c> or by
/// <c>*/subresource</c>; resourceNames, when set, must list the request's name (so they never match create, list
/// without a name, or deletecollection); non-resource URLs by path or by a prefix ending in <c>*</c>.
/// </summary>
internal static class PolicyRules
{
    public const string All = "*";

    public static bool Allows(JsonObject rule, RequestAttributes request)
    {
        if (!Contains(rule["verbs"], request.Verb))
        {
            return false;
        }

        if (!request.IsResourceRequest)
        {
            return Strings(rule["nonResourceURLs"]).Any(url => url == All || url == request.Path
                || (url.EndsWith('*') && request.Path.StartsWith(url[..^1], StringComparison.Ordinal)));
        }

        return Contains(rule["apiGroups"], request.Group)
            && ResourceMatches(rule, request.CombinedResource, request.Subresource)
            && ResourceNameMatches(rule, request.Name);
    }

    private static bool ResourceMatches(JsonObject rule, string combined, string subresource)
    {
        foreach (var resource in Strings(rule["resources"]))
        {
            if (resource == All || resource == combined)
            {
                return true;
            }

            if (subresource.Length > 0 && resource == "*/" + subresource)
            {
                return true;
            }
        }

        return false;
    }

    private static bool ResourceNameMatches(JsonObject rule, string name)
    {
        var names = Strings(rule["resourceNames"]).ToList();
        return names.Count == 0 || names.Contains(name, StringComparer.Ordinal);
    }

    private static bool Contains(JsonNode? list, string value) =>
        Strings(list).Any(item => item == All || item == value);

    public static IEnumerable<string> Strings(JsonNode? list) =>
        (list as JsonArray ?? []).Select(item => item is JsonValue v && v.TryGetValue<string>(out var s) ? s : "");
}
