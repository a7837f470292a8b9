using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Store;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Authorization;

/// <summary>
/// The RBAC authorizer of a real API server, over the Roles, ClusterRoles, RoleBindings and ClusterRoleBindings
/// stored in the simulated cluster: ClusterRoleBindings first, then the RoleBindings of the request's namespace;
/// the first rule that allows the request decides, and its binding is the reason ("RBAC: allowed by ..."). A
/// binding whose role does not exist is skipped and named in the reason of a refusal, as the real authorizer does.
/// Members of <c>system:masters</c> are allowed before RBAC is asked. ClusterRoles with an aggregationRule are
/// evaluated with the rules of the ClusterRoles their selectors match, at the time of the request.
/// </summary>
internal sealed class RbacAuthorizer
{
    public const string Group = "rbac.authorization.k8s.io";

    private readonly ObjectStore _store;

    public RbacAuthorizer(ObjectStore store) => _store = store;

    private ResourceType Type(string plural) => _store.Registry.Find(Group, "v1", plural)
        ?? throw new InvalidOperationException($"the simulator does not serve {plural}.{Group}");

    public AuthorizationDecision Authorize(RequestAttributes request)
    {
        if (request.User.Groups.Contains(ClusterIdentity.MastersGroup, StringComparer.Ordinal))
        {
            return new AuthorizationDecision(true, "");
        }

        var errors = new List<string>();
        foreach (var binding in _store.List(WatchFilter.All(Type("clusterrolebindings"))).Items)
        {
            if (AppliesTo(request.User, binding, "") is not { } subject)
            {
                continue;
            }

            var rules = RulesOf(binding["roleRef"] as JsonObject, "", errors);
            if (rules.Any(rule => PolicyRules.Allows(rule, request)))
            {
                return new AuthorizationDecision(true, $"RBAC: allowed by ClusterRoleBinding \"{ObjectMeta.Name(binding)}\" of {RoleRef(binding)} to {Describe(subject, "")}");
            }
        }

        if (request.Namespace.Length > 0)
        {
            foreach (var binding in _store.List(WatchFilter.All(Type("rolebindings"), request.Namespace)).Items)
            {
                if (AppliesTo(request.User, binding, request.Namespace) is not { } subject)
                {
                    continue;
                }

                var rules = RulesOf(binding["roleRef"] as JsonObject, request.Namespace, errors);
                if (rules.Any(rule => PolicyRules.Allows(rule, request)))
                {
                    return new AuthorizationDecision(true, $"RBAC: allowed by RoleBinding \"{ObjectMeta.Name(binding)}/{request.Namespace}\" of {RoleRef(binding)} to {Describe(subject, request.Namespace)}");
                }
            }
        }

        var distinct = errors.Distinct(StringComparer.Ordinal).ToList();
        return new AuthorizationDecision(false, distinct.Count switch
        {
            0 => "",
            1 => "RBAC: " + distinct[0],
            _ => $"RBAC: [{string.Join(", ", distinct)}]",
        });
    }

    /// <summary>The rules a roleRef grants; a missing role adds the real authorizer's error and grants nothing.</summary>
    private List<JsonObject> RulesOf(JsonObject? roleRef, string bindingNamespace, List<string> errors)
    {
        var kind = roleRef?["kind"]?.GetValue<string>() ?? "";
        var name = roleRef?["name"]?.GetValue<string>() ?? "";
        switch (kind)
        {
            case "Role" when bindingNamespace.Length > 0:
                if (_store.TryGet(Type("roles"), bindingNamespace, name) is { } role)
                {
                    return [.. (role["rules"] as JsonArray ?? []).OfType<JsonObject>()];
                }

                errors.Add($"role.{Group} \"{name}\" not found");
                return [];
            case "ClusterRole":
                if (_store.TryGet(Type("clusterroles"), null, name) is { } clusterRole)
                {
                    return ClusterRoleRules(clusterRole, []);
                }

                errors.Add($"clusterrole.{Group} \"{name}\" not found");
                return [];
            default:
                errors.Add($"unsupported role reference kind: \"{kind}\"");
                return [];
        }
    }

    /// <summary>
    /// A ClusterRole's rules; for an aggregated one, the rules of every other ClusterRole its selectors match (which
    /// the clusterrole-aggregation controller of a real cluster copies into it).
    /// </summary>
    private List<JsonObject> ClusterRoleRules(JsonObject role, HashSet<string> visited)
    {
        var name = ObjectMeta.Name(role);
        visited.Add(name);
        if (role["aggregationRule"]?["clusterRoleSelectors"] is not JsonArray selectors)
        {
            return [.. (role["rules"] as JsonArray ?? []).OfType<JsonObject>()];
        }

        var rules = new List<JsonObject>();
        foreach (var selector in selectors.OfType<JsonObject>().Select(LabelSelector.FromObject))
        {
            foreach (var other in _store.List(WatchFilter.All(Type("clusterroles"))).Items)
            {
                if (!visited.Contains(ObjectMeta.Name(other)) && selector.Matches(other))
                {
                    rules.AddRange(ClusterRoleRules(other, visited));
                }
            }
        }

        return rules;
    }

    /// <summary>The first subject of a binding that names the user, as the real <c>appliesTo</c> finds it.</summary>
    private static JsonObject? AppliesTo(ClusterIdentity user, JsonObject binding, string bindingNamespace)
    {
        foreach (var subject in (binding["subjects"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var kind = subject["kind"]?.GetValue<string>();
            var name = subject["name"]?.GetValue<string>() ?? "";
            var applies = kind switch
            {
                "User" => user.UserName == name,
                "Group" => user.Groups.Contains(name, StringComparer.Ordinal),
                "ServiceAccount" => ServiceAccountNamespace(subject, bindingNamespace) is { Length: > 0 } ns
                    && user.UserName == $"system:serviceaccount:{ns}:{name}",
                _ => false,
            };
            if (applies)
            {
                return subject;
            }
        }

        return null;
    }

    private static string ServiceAccountNamespace(JsonObject subject, string bindingNamespace) =>
        subject["namespace"]?.GetValue<string>() is { Length: > 0 } ns ? ns : bindingNamespace;

    private static string RoleRef(JsonObject binding) =>
        $"{binding["roleRef"]?["kind"]?.GetValue<string>()} \"{binding["roleRef"]?["name"]?.GetValue<string>()}\"";

    private static string Describe(JsonObject subject, string bindingNamespace)
    {
        var kind = subject["kind"]?.GetValue<string>();
        var name = subject["name"]?.GetValue<string>();
        return kind == "ServiceAccount"
            ? $"{kind} \"{name}/{ServiceAccountNamespace(subject, bindingNamespace)}\""
            : $"{kind} \"{name}\"";
    }
}
