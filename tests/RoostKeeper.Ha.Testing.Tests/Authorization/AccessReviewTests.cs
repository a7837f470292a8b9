using System.Net;
using k8s;
using k8s.Models;
using static RoostKeeper.Ha.Testing.Tests.Authorization.Rbac;
using static RoostKeeper.Ha.Testing.Tests.Conformance.Conformance;

namespace RoostKeeper.Ha.Testing.Tests.Authorization;

/// <summary>
/// SubjectAccessReview and LocalSubjectAccessReview with <c>EnableRbac</c>, as a real API server answers them:
/// allowed with the RBAC authorizer's reason (which binding, role and subject), refused without a reason when no
/// rule matches, and a LocalSubjectAccessReview about another namespace refused as its validation refuses it.
/// </summary>
public sealed class AccessReviewTests() : RbacClusterTest("sar")
{
    private static V1ResourceAttributes Attributes(string verb, string group, string resource, string? ns) =>
        new() { Verb = verb, Group = group, Resource = resource, NamespaceProperty = ns };

    private Task<V1SubjectAccessReview> ReviewAsync(string user, IList<string>? groups, V1ResourceAttributes attributes) =>
        Admin.AuthorizationV1.CreateSubjectAccessReviewAsync(new V1SubjectAccessReview
        {
            Spec = new V1SubjectAccessReviewSpec { User = user, Groups = groups, ResourceAttributes = attributes },
        });

    private Task<V1LocalSubjectAccessReview> LocalReviewAsync(string user, V1ResourceAttributes attributes, string? objectNamespace = null) =>
        Admin.AuthorizationV1.CreateNamespacedLocalSubjectAccessReviewAsync(new V1LocalSubjectAccessReview
        {
            Metadata = new V1ObjectMeta { NamespaceProperty = objectNamespace },
            Spec = new V1SubjectAccessReviewSpec { User = user, ResourceAttributes = attributes },
        }, Ns);

    [Fact]
    public async Task A_subject_access_review_is_allowed_with_the_rbac_reason_and_denied_without_one()
    {
        await GrantAsync(Admin, Ns, "lease-writer", ServiceAccount(Ns, "robot"), Rule("coordination.k8s.io", "leases", "get", "update"));
        await GrantClusterAsync(Admin, "pod-reader", Group("developers"), Rule("", "pods", "list"));
        var robot = $"system:serviceaccount:{Ns}:robot";

        var byRole = await ReviewAsync(robot, null, Attributes("update", "coordination.k8s.io", "leases", Ns));
        Assert.True(byRole.Status.Allowed);
        Assert.Equal($"RBAC: allowed by RoleBinding \"lease-writer/{Ns}\" of Role \"lease-writer\" to ServiceAccount \"robot/{Ns}\"", byRole.Status.Reason);

        var byGroup = await ReviewAsync("alice", ["developers"], Attributes("list", "", "pods", "elsewhere"));
        Assert.True(byGroup.Status.Allowed);
        Assert.Equal("RBAC: allowed by ClusterRoleBinding \"pod-reader\" of ClusterRole \"pod-reader\" to Group \"developers\"", byGroup.Status.Reason);

        // No rule matches: RBAC has no opinion, so the review is not allowed, not explicitly denied, and has no reason.
        var refused = await ReviewAsync(robot, null, Attributes("delete", "coordination.k8s.io", "leases", Ns));
        Assert.False(refused.Status.Allowed);
        Assert.NotEqual(true, refused.Status.Denied);
        Assert.Null(refused.Status.Reason);
        Assert.False((await ReviewAsync("alice", [], Attributes("list", "", "pods", Ns))).Status.Allowed); // the group grants, not the user

        // Asked by someone the RBAC rules do not allow to create reviews, it is the request that is refused.
        var stranger = Cluster.CreateClient("stranger", ClusterIdentity.User("mallory"));
        Assert.Equal(
            "subjectaccessreviews.authorization.k8s.io is forbidden: User \"mallory\" cannot create resource \"subjectaccessreviews\" in API group \"authorization.k8s.io\" at the cluster scope",
            await ForbiddenAsync(() => stranger.AuthorizationV1.CreateSubjectAccessReviewAsync(new V1SubjectAccessReview
            {
                Spec = new V1SubjectAccessReviewSpec { User = robot, ResourceAttributes = Attributes("get", "", "pods", Ns) },
            })));
    }

    [Fact]
    public async Task A_local_subject_access_review_answers_for_its_namespace_and_refuses_another()
    {
        await GrantAsync(Admin, Ns, "lease-reader", User("alice"), Rule("coordination.k8s.io", "leases", "get"));

        var allowed = await LocalReviewAsync("alice", Attributes("get", "coordination.k8s.io", "leases", Ns));
        Assert.True(allowed.Status.Allowed);
        Assert.Equal($"RBAC: allowed by RoleBinding \"lease-reader/{Ns}\" of Role \"lease-reader\" to User \"alice\"", allowed.Status.Reason);
        Assert.Equal(Ns, allowed.Metadata.NamespaceProperty); // filled in from the URL
        Assert.False((await LocalReviewAsync("alice", Attributes("delete", "coordination.k8s.io", "leases", Ns))).Status.Allowed);

        // ValidateLocalSubjectAccessReview: the attributes' namespace must be the review's (422), also when left out.
        var status = await ThrowsStatusAsync(HttpStatusCode.UnprocessableEntity, "Invalid", () => LocalReviewAsync("alice", Attributes("get", "coordination.k8s.io", "leases", "other")));
        Assert.Equal("LocalSubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.resourceAttributes.namespace: Invalid value: \"other\": must match metadata.namespace", status.Message);
        Assert.Equal("spec.resourceAttributes.namespace", Assert.Single(status.Details.Causes).Field);
        status = await ThrowsStatusAsync(HttpStatusCode.UnprocessableEntity, "Invalid", () => LocalReviewAsync("alice", Attributes("get", "coordination.k8s.io", "leases", null)));
        Assert.EndsWith("spec.resourceAttributes.namespace: Invalid value: \"\": must match metadata.namespace", status.Message, StringComparison.Ordinal);

        // A review object naming another namespace than its URL is refused by the create handler (400).
        status = await ThrowsStatusAsync(HttpStatusCode.BadRequest, "BadRequest", () => LocalReviewAsync("alice", Attributes("get", "coordination.k8s.io", "leases", Ns), objectNamespace: "other"));
        Assert.Equal("the namespace of the provided object does not match the namespace sent on the request", status.Message);
    }
}
