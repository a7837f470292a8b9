using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Store;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Authorization;

/// <summary>
/// The bootstrap ClusterRoles and ClusterRoleBindings every real cluster has that a client relies on without
/// asking: cluster-admin (bound to system:masters), system:basic-user (anyone authenticated may review its own
/// access: <c>kubectl auth can-i</c>, <c>kubectl auth whoami</c>), system:discovery and system:public-info-viewer
/// (discovery, /version, /healthz). Created when RBAC is turned on, labelled
/// <c>kubernetes.io/bootstrapping=rbac-defaults</c> as on a real cluster. The aggregated admin, edit and view roles
/// are not created.
/// </summary>
internal static class BootstrapPolicy
{
    private static readonly string[] DiscoveryPaths = ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"];
    private static readonly string[] PublicPaths = ["/healthz", "/livez", "/readyz", "/version", "/version/"];

    public static void Seed(ObjectStore store)
    {
        var roles = store.Registry.Find(RbacAuthorizer.Group, "v1", "clusterroles")!;
        var bindings = store.Registry.Find(RbacAuthorizer.Group, "v1", "clusterrolebindings")!;
        store.Create(roles, null, Role("cluster-admin",
            Rule(["*"], resources: ["*"], apiGroups: ["*"]),
            Rule(["*"], nonResourceUrls: ["*"])));
        store.Create(roles, null, Role("system:basic-user",
            Rule(["create"], resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], apiGroups: [AccessReviews.AuthorizationGroup]),
            Rule(["create"], resources: ["selfsubjectreviews"], apiGroups: [AccessReviews.AuthenticationGroup])));
        store.Create(roles, null, Role("system:discovery", Rule(["get"], nonResourceUrls: DiscoveryPaths)));
        store.Create(roles, null, Role("system:public-info-viewer", Rule(["get"], nonResourceUrls: PublicPaths)));
        store.Create(bindings, null, Binding("cluster-admin", ClusterIdentity.MastersGroup));
        store.Create(bindings, null, Binding("system:basic-user", ClusterIdentity.AuthenticatedGroup));
        store.Create(bindings, null, Binding("system:discovery", ClusterIdentity.AuthenticatedGroup));
        store.Create(bindings, null, Binding("system:public-info-viewer", ClusterIdentity.AuthenticatedGroup, "system:unauthenticated"));
    }

    private static JsonObject Metadata(string name) => new()
    {
        ["name"] = name,
        ["labels"] = new JsonObject { ["kubernetes.io/bootstrapping"] = "rbac-defaults" },
        ["annotations"] = new JsonObject { ["rbac.authorization.kubernetes.io/autoupdate"] = "true" },
    };

    private static JsonObject Role(string name, params JsonObject[] rules) => new()
    {
        ["apiVersion"] = $"{RbacAuthorizer.Group}/v1",
        ["kind"] = "ClusterRole",
        ["metadata"] = Metadata(name),
        ["rules"] = new JsonArray([.. rules]),
    };

    private static JsonObject Rule(string[] verbs, string[]? resources = null, string[]? apiGroups = null, string[]? nonResourceUrls = null)
    {
        var rule = new JsonObject { ["verbs"] = Array(verbs) };
        if (apiGroups is not null)
        {
            rule["apiGroups"] = Array(apiGroups);
        }

        if (resources is not null)
        {
            rule["resources"] = Array(resources);
        }

        if (nonResourceUrls is not null)
        {
            rule["nonResourceURLs"] = Array(nonResourceUrls);
        }

        return rule;
    }

    private static JsonObject Binding(string role, params string[] groups) => new()
    {
        ["apiVersion"] = $"{RbacAuthorizer.Group}/v1",
        ["kind"] = "ClusterRoleBinding",
        ["metadata"] = Metadata(role),
        ["roleRef"] = new JsonObject { ["apiGroup"] = RbacAuthorizer.Group, ["kind"] = "ClusterRole", ["name"] = role },
        ["subjects"] = new JsonArray([.. groups.Select(g => (JsonNode?)new JsonObject { ["apiGroup"] = RbacAuthorizer.Group, ["kind"] = "Group", ["name"] = g })]),
    };

    private static JsonArray Array(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)v)]);
}
