using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using RoostKeeper.Ha.Testing.Resources;
using RoostKeeper.Ha.Testing.Store;

namespace RoostKeeper.Ha.Testing.Api;

/// <summary>
/// The kinds whose create is answered, never stored. The simulated cluster authenticates no one (every
/// request is <c>system:anonymous</c>) and authorizes everything, so the reviews answer as a real server
/// with the AlwaysAllow authorizer does; a Binding assigns its pod to a node as the scheduler's does.
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

        var answer = (JsonObject)body.DeepClone();
        answer["kind"] = request.Type.Kind;
        answer["apiVersion"] = request.Type.ApiVersion;
        answer["metadata"] = new JsonObject { ["creationTimestamp"] = null };
        answer["status"] = request.Type.Kind switch
        {
            "SelfSubjectReview" => new JsonObject
            {
                ["userInfo"] = new JsonObject { ["username"] = "system:anonymous", ["groups"] = new JsonArray("system:unauthenticated") },
            },
            "TokenReview" => new JsonObject
            {
                ["user"] = new JsonObject(),
                ["error"] = "SimulatedCluster authenticates no one: no token is valid",
            },
            "SelfSubjectRulesReview" => new JsonObject
            {
                ["resourceRules"] = new JsonArray(new JsonObject { ["verbs"] = new JsonArray("*"), ["apiGroups"] = new JsonArray("*"), ["resources"] = new JsonArray("*") }),
                ["nonResourceRules"] = new JsonArray(new JsonObject { ["verbs"] = new JsonArray("*"), ["nonResourceURLs"] = new JsonArray("*") }),
                ["incomplete"] = false,
            },
            _ => new JsonObject { ["allowed"] = true }, // SubjectAccessReview, SelfSubjectAccessReview, LocalSubjectAccessReview
        };
        await WriteAsync(context, HttpStatusCode.Created, answer).ConfigureAwait(false);
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
            statusOnly: false);
    }
}
