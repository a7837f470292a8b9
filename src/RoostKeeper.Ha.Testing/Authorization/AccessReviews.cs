using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Admission;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Authorization;

/// <summary>
/// The review resources, answered from the cluster's authorizer and never stored: SelfSubjectAccessReview
/// (<c>kubectl auth can-i</c>), SubjectAccessReview and LocalSubjectAccessReview (authorization.k8s.io/v1), and
/// SelfSubjectReview (authentication.k8s.io/v1, <c>kubectl auth whoami</c>).
/// </summary>
internal static class AccessReviews
{
    public const string AuthorizationGroup = "authorization.k8s.io";
    public const string AuthenticationGroup = "authentication.k8s.io";

    /// <summary>The review with its status filled in, as the API server returns it (201).</summary>
    public static JsonObject Answer(ResourceType type, string? ns, JsonObject body, ClusterIdentity requester, RequestAccess access)
    {
        var review = (JsonObject)body.DeepClone();
        review["apiVersion"] = type.ApiVersion;
        review["kind"] = type.Kind;
        review["metadata"] = review["metadata"] as JsonObject ?? new JsonObject();
        review["metadata"]!["creationTimestamp"] = null;
        if (type.Kind == "SelfSubjectReview")
        {
            review["status"] = new JsonObject
            {
                ["userInfo"] = new JsonObject
                {
                    ["username"] = requester.UserName,
                    ["groups"] = new JsonArray([.. requester.Groups.Select(g => (JsonNode?)g)]),
                },
            };
            return review;
        }

        var spec = review["spec"] as JsonObject ?? new JsonObject();
        review["spec"] = spec;
        var resource = spec["resourceAttributes"] as JsonObject;
        var nonResource = spec["nonResourceAttributes"] as JsonObject;
        if (type.Kind == "LocalSubjectAccessReview")
        {
            // The create handler first fills an empty metadata.namespace from the URL and refuses a different one.
            var metadata = (JsonObject)review["metadata"]!;
            var objectNamespace = metadata["namespace"]?.GetValue<string>() ?? "";
            if (objectNamespace.Length == 0)
            {
                metadata["namespace"] = ns;
            }
            else if (objectNamespace != ns)
            {
                throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }
        }

        // ValidateSubjectAccessReviewSpec, then ValidateLocalSubjectAccessReview's own rules, in their order.
        var errors = new FieldErrors();
        if (resource is not null && nonResource is not null)
        {
            errors.Add(FieldError.InvalidRendered("spec.nonResourceAttributes", "\"object\"", "cannot be specified in combination with resourceAttributes"));
        }

        if (resource is null && nonResource is null)
        {
            errors.Add(FieldError.InvalidRendered("spec.resourceAttributes", "\"null\"", "exactly one of nonResourceAttributes or resourceAttributes must be specified"));
        }

        var subject = requester;
        if (type.Kind is "SubjectAccessReview" or "LocalSubjectAccessReview")
        {
            var user = spec["user"]?.GetValue<string>() ?? "";
            var groups = PolicyRules.Strings(spec["groups"]).Where(g => g.Length > 0).ToList();
            if (user.Length == 0 && groups.Count == 0)
            {
                errors.Add(FieldError.Invalid("spec.user", "", "at least one of user or group must be specified"));
            }

            subject = ClusterIdentity.Exactly(user, groups);
        }

        if (type.Kind == "LocalSubjectAccessReview")
        {
            if (resource is not null && Text(resource, "namespace") != ns)
            {
                errors.Add(FieldError.Invalid("spec.resourceAttributes.namespace", Text(resource, "namespace"), "must match metadata.namespace"));
            }

            if (nonResource is not null)
            {
                errors.Add(FieldError.InvalidRendered("spec.nonResourceAttributes", "\"object\"", "disallowed on this kind of request"));
            }
        }

        errors.ThrowIfAny(type, "");

        var attributes = resource is not null
            ? new RequestAttributes(subject, Text(resource, "verb"), true, Text(resource, "group"), Text(resource, "version"), Text(resource, "resource"),
                Text(resource, "subresource"), Text(resource, "namespace"), Text(resource, "name"))
            : RequestAttributes.NonResource(subject, Text(nonResource!, "verb"), Text(nonResource!, "path"));
        var decision = access.Authorize(attributes);
        var status = new JsonObject { ["allowed"] = decision.Allowed };
        if (decision.Reason.Length > 0)
        {
            status["reason"] = decision.Reason;
        }

        review["status"] = status;
        return review;
    }

    private static string Text(JsonObject attributes, string field) => attributes[field]?.GetValue<string>() ?? "";
}
