using System.Net;
using System.Text.Json.Nodes;
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
        var errors = new List<string>();
        if (resource is not null && nonResource is not null)
        {
            errors.Add("spec.nonResourceAttributes: Invalid value: \"object\": cannot be specified in combination with resourceAttributes");
        }

        if (resource is null && nonResource is null)
        {
            errors.Add("spec.resourceAttributes: Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified");
        }

        var subject = requester;
        if (type.Kind is "SubjectAccessReview" or "LocalSubjectAccessReview")
        {
            var user = spec["user"]?.GetValue<string>() ?? "";
            var groups = PolicyRules.Strings(spec["groups"]).Where(g => g.Length > 0).ToList();
            if (user.Length == 0 && groups.Count == 0)
            {
                errors.Add($"spec.user: Invalid value: \"\": at least one of user or group must be specified");
            }

            subject = ClusterIdentity.Exactly(user, groups);
        }

        if (type.Kind == "LocalSubjectAccessReview" && resource is not null && (resource["namespace"]?.GetValue<string>() ?? "") != ns)
        {
            throw ApiException.BadRequest($"spec.resourceAttributes.namespace must match namespace: {ns}");
        }

        if (errors.Count > 0)
        {
            var message = errors.Count == 1 ? errors[0] : $"[{string.Join(", ", errors)}]";
            throw new ApiException(HttpStatusCode.UnprocessableEntity, "Invalid", $"{type.Kind}.{type.Group} \"\" is invalid: {message}",
                new JsonObject { ["group"] = type.Group, ["kind"] = type.Kind });
        }

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
