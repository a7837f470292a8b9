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
/// evaluated with the rules of the ClusterRoles their selectors match, at the time of the request. The same walk over
/// the bindings lists a user's rules for a SelfSubjectRulesReview (<see cref="RulesFor"/>).
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
        foreach (var (binding, rules) in Bindings(request.User, request.Namespace, errors))
        {
            if (rules.Any(rule => PolicyRules.Allows(rule, request)))
            {
                return new AuthorizationDecision(true, "RBAC: allowed by " + binding());
            }
        }

        return new AuthorizationDecision(false, Aggregate(errors) is { } error ? "RBAC: " + error : "");
    }

    /// <summary>
    /// Every rule the user's bindings grant in <paramref name="namespace"/> (the real resolver's <c>RulesFor</c>), in
    /// the order the authorizer visits them, and the aggregated error of the bindings whose role is missing (null when
    /// there is none). <c>system:masters</c> is not special here: on a real server that group is allowed by the
    /// privileged-group authorizer, which lists no rules, so its members see the rules RBAC binds to them.
    /// </summary>
    public (List<JsonObject> Rules, string? Error) RulesFor(ClusterIdentity user, string @namespace)
    {
        var errors = new List<string>();
        var rules = Bindings(user, @namespace, errors).SelectMany(binding => binding.Rules).ToList();
        return (rules, Aggregate(errors));
    }

    /// <summary>
    /// The bindings that apply to the user, ClusterRoleBindings first, then the RoleBindings of the namespace, each
    /// with its description (for the reason of an allow) and its role's rules; lazily, so that the authorizer stops
    /// at the first binding that allows, as the real visitor does. A binding whose role is missing adds its error.
    /// </summary>
    private IEnumerable<(Func<string> Describe, List<JsonObject> Rules)> Bindings(ClusterIdentity user, string @namespace, List<string> errors)
    {
        foreach (var binding in _store.List(WatchFilter.All(Type("clusterrolebindings"))).Items)
        {
            if (AppliesTo(user, binding, "") is { } subject && RulesOf(binding["roleRef"] as JsonObject, "", errors) is { } rules)
            {
                yield return (() => $"ClusterRoleBinding \"{ObjectMeta.Name(binding)}\" of {RoleRef(binding)} to {Describe(subject, "")}", rules);
            }
        }

        if (@namespace.Length == 0)
        {
            yield break;
        }

        foreach (var binding in _store.List(WatchFilter.All(Type("rolebindings"), @namespace)).Items)
        {
            if (AppliesTo(user, binding, @namespace) is { } subject && RulesOf(binding["roleRef"] as JsonObject, @namespace, errors) is { } rules)
            {
                yield return (() => $"RoleBinding \"{ObjectMeta.Name(binding)}/{@namespace}\" of {RoleRef(binding)} to {Describe(subject, @namespace)}", rules);
            }
        }
    }

    /// <summary>The errors as the real <c>utilerrors.NewAggregate</c> prints them: one alone, several in brackets, repeats once.</summary>
    private static string? Aggregate(List<string> errors)
    {
        var distinct = errors.Distinct(StringComparer.Ordinal).ToList();
        return distinct.Count switch
        {
            0 => null,
            1 => distinct[0],
            _ => $"[{string.Join(", ", distinct)}]",
        };
    }

    /// <summary>The rules a roleRef grants; a missing role adds the real resolver's error and is null.</summary>
    private List<JsonObject>? RulesOf(JsonObject? roleRef, string bindingNamespace, List<string> errors)
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
                return null;
            case "ClusterRole":
                if (_store.TryGet(Type("clusterroles"), null, name) is { } clusterRole)
                {
                    return ClusterRoleRules(clusterRole, []);
                }

                errors.Add($"clusterrole.{Group} \"{name}\" not found");
                return null;
            default:
                errors.Add($"unsupported role reference kind: \"{kind}\"");
                return null;
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
