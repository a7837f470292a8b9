using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Authorization;

/// <summary>
/// The status of a SelfSubjectRulesReview (<c>kubectl auth can-i --list</c>), as the real registry builds it from
/// the authorizers that can list rules. Without RBAC the AlwaysAllow authorizer grants every verb on everything.
/// With RBAC the rules are those of every ClusterRoleBinding and every RoleBinding of <c>spec.namespace</c> that
/// apply to the requester (<see cref="RbacAuthorizer.RulesFor"/>): a rule with resources becomes a resource rule, one
/// with non-resource URLs a non-resource rule. As on a real server, a binding to a missing role puts the resolver's
/// error in <c>evaluationError</c> but leaves <c>incomplete</c> false (only the Node authorizer, which the simulator
/// has not, reports incomplete), and <c>system:masters</c> adds nothing: the privileged-group authorizer lists no
/// rules, so a member sees what RBAC binds to it (the admin: cluster-admin's <c>*</c> rules).
/// </summary>
internal static class RulesReview
{
    public static JsonObject Status(JsonObject review, ClusterIdentity requester, RequestAccess access)
    {
        var ns = JsonFields.String(review["spec"]?["namespace"]);
        if (string.IsNullOrEmpty(ns))
        {
            // The registry refuses before asking any authorizer, whatever the mode.
            throw ApiException.BadRequest("no namespace on request");
        }

        if (access.RulesFor(requester, ns) is not var (rules, error))
        {
            return new JsonObject
            {
                ["resourceRules"] = new JsonArray(new JsonObject { ["verbs"] = Strings(["*"]), ["apiGroups"] = Strings(["*"]), ["resources"] = Strings(["*"]) }),
                ["nonResourceRules"] = new JsonArray(new JsonObject { ["verbs"] = Strings(["*"]), ["nonResourceURLs"] = Strings(["*"]) }),
                ["incomplete"] = false,
            };
        }

        var resourceRules = new JsonArray();
        var nonResourceRules = new JsonArray();
        foreach (var rule in rules)
        {
            // The real RulesFor tests each list on its own, so a rule naming both would appear in both lists.
            if (rule["resources"] is JsonArray { Count: > 0 })
            {
                resourceRules.Add(Copy(rule, "verbs", "apiGroups", "resources", "resourceNames"));
            }

            if (rule["nonResourceURLs"] is JsonArray { Count: > 0 })
            {
                nonResourceRules.Add(Copy(rule, "verbs", "nonResourceURLs"));
            }
        }

        var status = new JsonObject { ["resourceRules"] = resourceRules, ["nonResourceRules"] = nonResourceRules, ["incomplete"] = false };
        if (error is not null)
        {
            status["evaluationError"] = error;
        }

        return status;
    }

    /// <summary>The fields of a PolicyRule that the review's rule carries; empty lists are left out (omitempty), verbs never.</summary>
    private static JsonObject Copy(JsonObject rule, string verbs, params string[] fields)
    {
        var copy = new JsonObject { [verbs] = Strings(PolicyRules.Strings(rule[verbs])) };
        foreach (var field in fields)
        {
            if (rule[field] is JsonArray { Count: > 0 } values)
            {
                copy[field] = Strings(PolicyRules.Strings(values));
            }
        }

        return copy;
    }

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)v)]);
}
