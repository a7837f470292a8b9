using k8s;
using k8s.Autorest;
using k8s.Models;

namespace RoostKeeper.Ha.Testing.Tests.Authorization;

/// <summary>Builds RBAC objects for the authorization tests, and reads a refusal's Status.</summary>
internal static class Rbac
{
    public static V1PolicyRule Rule(string group, string resource, params string[] verbs) =>
        new() { ApiGroups = [group], Resources = [resource], Verbs = verbs };

    public static async Task GrantAsync(IKubernetes admin, string ns, string name, Rbacv1Subject subject, params V1PolicyRule[] rules)
    {
        await admin.RbacAuthorizationV1.CreateNamespacedRoleAsync(new V1Role { Metadata = new V1ObjectMeta { Name = name }, Rules = rules }, ns);
        await admin.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = name },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = name },
            Subjects = [subject],
        }, ns);
    }

    public static async Task GrantClusterAsync(IKubernetes admin, string name, Rbacv1Subject subject, params V1PolicyRule[] rules)
    {
        await admin.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole { Metadata = new V1ObjectMeta { Name = name }, Rules = rules });
        await admin.RbacAuthorizationV1.CreateClusterRoleBindingAsync(new V1ClusterRoleBinding
        {
            Metadata = new V1ObjectMeta { Name = name },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = name },
            Subjects = [subject],
        });
    }

    public static Rbacv1Subject ServiceAccount(string ns, string name) => new() { Kind = "ServiceAccount", Name = name, NamespaceProperty = ns };

    public static Rbacv1Subject User(string name) => new() { Kind = "User", Name = name, ApiGroup = "rbac.authorization.k8s.io" };

    public static Rbacv1Subject Group(string name) => new() { Kind = "Group", Name = name, ApiGroup = "rbac.authorization.k8s.io" };

    /// <summary>Runs <paramref name="call"/>, which must be refused with 403, and returns the Status message.</summary>
    public static async Task<string> ForbiddenAsync(Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(call);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, e.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(e.Response.Content);
        Assert.Equal(("Failure", "Forbidden", 403), (status.Status, status.Reason, status.Code ?? 0));
        return status.Message;
    }
}
