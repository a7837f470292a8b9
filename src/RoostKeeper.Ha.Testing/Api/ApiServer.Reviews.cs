using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using RoostKeeper.Ha.Testing.Authorization;
using RoostKeeper.Ha.Testing.Resources;
using RoostKeeper.Ha.Testing.Store;

namespace RoostKeeper.Ha.Testing.Api;

/// <summary>
/// The kinds whose create is answered, never stored. The access reviews and SelfSubjectReview are answered from
/// the cluster's authentication and authorizer (<see cref="AccessReviews"/>): with RBAC off every request is
/// allowed, as with the AlwaysAllow authorizer. A SelfSubjectRulesReview lists the requester's rules
/// (<see cref="RulesReview"/>). A TokenReview authenticates its token as a request bearing it
/// would be; a Binding assigns its pod to a node as the scheduler's does.
/// </summary>
internal sealed partial class ApiServer
{
    private async Task AnswerReviewAsync(HttpContext context, ApiRequest request)
    {
        var body = await ReadObjectAsync(context).ConfigureAwait(false);
        if (request.Type.Kind == "Binding")
        {
            Bind(request, body);
            await WriteAsync(context, HttpStatusCode.Created, new JsonObject
            {
                ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success", ["code"] = 201,
            }).ConfigureAwait(false);
            return;
        }

        if (request.Type.Kind is not ("TokenReview" or "SelfSubjectRulesReview"))
        {
            // SelfSubjectAccessReview, SubjectAccessReview, LocalSubjectAccessReview and SelfSubjectReview.
            var review = AccessReviews.Answer(request.Type, request.Namespace, body, RequestAccess.IdentityOf(context), _access);
            await WriteAsync(context, HttpStatusCode.Created, review).ConfigureAwait(false);
            return;
        }

        var answer = (JsonObject)body.DeepClone();
        answer["kind"] = request.Type.Kind;
        answer["apiVersion"] = request.Type.ApiVersion;
        answer["metadata"] = new JsonObject { ["creationTimestamp"] = null };
        answer["status"] = request.Type.Kind == "TokenReview"
            ? TokenReviewStatus(body)
            : RulesReview.Status(body, RequestAccess.IdentityOf(context), _access);
        await WriteAsync(context, HttpStatusCode.Created, answer).ConfigureAwait(false);
    }

    private JsonObject TokenReviewStatus(JsonObject review)
    {
        var token = JsonFields.String(review["spec"]?["token"]) ?? "";
        if (_access.AuthenticateToken(token) is not { } user)
        {
            return new JsonObject { ["user"] = new JsonObject(), ["error"] = "the token was not issued by this SimulatedCluster" };
        }

        return new JsonObject
        {
            ["authenticated"] = true,
            ["user"] = new JsonObject
            {
                ["username"] = user.UserName,
                ["groups"] = new JsonArray([.. user.Groups.Select(g => (JsonNode?)g)]),
            },
        };
    }

    /// <summary>pods/binding: sets the pod's node, once (a bound pod is a 409, as the real registry answers).</summary>
    private void Bind(ApiRequest request, JsonObject binding)
    {
        var podName = ObjectMeta.Name(binding);
        var node = JsonFields.String(binding["target"]?["name"]);
        if (string.IsNullOrEmpty(podName) || string.IsNullOrEmpty(node))
        {
            throw ApiException.BadRequest("a Binding needs metadata.name (the pod) and target.name (the node)");
        }

        var pod = _store.Get(ResourceRegistry.Pods, request.Namespace, podName);
        if (JsonFields.String(pod["spec"]?["nodeName"]) is { Length: > 0 } assigned)
        {
            throw new ApiException(HttpStatusCode.Conflict, "Conflict",
                $"Operation cannot be fulfilled on pods/binding \"{podName}\": pod {podName} is already assigned to node \"{assigned}\"",
                new JsonObject { ["name"] = podName, ["kind"] = "pods/binding" });
        }

        _store.Patch(ResourceRegistry.Pods, request.Namespace, podName, PatchKind.Merge,
            new JsonObject { ["metadata"] = new JsonObject { ["resourceVersion"] = ObjectMeta.ResourceVersion(pod) }, ["spec"] = new JsonObject { ["nodeName"] = node } },
            statusOnly: false, subresource: "binding");
    }
}
