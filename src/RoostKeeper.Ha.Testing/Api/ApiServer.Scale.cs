using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using RoostKeeper.Ha.Testing.Api.Tables;
using RoostKeeper.Ha.Testing.Patching;
using RoostKeeper.Ha.Testing.Resources;
using RoostKeeper.Ha.Testing.Store;

namespace RoostKeeper.Ha.Testing.Api;

/// <summary>
/// The <c>scale</c> subresource (autoscaling/v1 <c>Scale</c>) of the kinds that have one: read, replaced or
/// patched (JSON, merge or strategic merge), written to the object's replica path as a Scale update with the
/// request's field manager. Kinds without one answer 404, as the real server does.
/// </summary>
internal sealed partial class ApiServer
{
    private async Task ServeScaleAsync(HttpContext context, ApiRequest request, ScaleSubresource scale, bool dryRun, string? manager)
    {
        var type = request.Type;
        var name = request.Name!;
        var current = scale.ToScale(_store.Get(type, request.Namespace, name));
        if (request.Verb == "get")
        {
            if (TableResponse.For(context.Request, ScaleSubresource.Kind, _store.Time) is { } table)
            {
                await WriteAsync(context, HttpStatusCode.OK, table.ToTable([current], ObjectMeta.ResourceVersion(current)), TableResponse.ContentType).ConfigureAwait(false);
                return;
            }

            await WriteAsync(context, HttpStatusCode.OK, current).ConfigureAwait(false);
            return;
        }

        JsonObject desired;
        if (request.Verb == "update")
        {
            desired = await ReadObjectAsync(context).ConfigureAwait(false);
        }
        else
        {
            if (IsApplyPatch(context.Request.ContentType))
            {
                throw ApiException.UnsupportedMediaType(
                    "SimulatedCluster does not serve server-side apply on the scale subresource; patch it with application/merge-patch+json or application/json-patch+json, or apply the object itself");
            }

            var kind = PatchKindOf(context.Request.ContentType);
            var patch = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
            desired = (kind == PatchKind.Json ? JsonPatch.Apply(current, patch) : JsonMergePatch.Apply(current, patch)) as JsonObject
                ?? throw ApiException.BadRequest("the patch must leave an object");
        }

        var replicas = JsonFields.Long(desired["spec"]?["replicas"]) ?? 0;
        if (replicas < 0)
        {
            throw new ApiException(HttpStatusCode.UnprocessableEntity, "Invalid",
                $"Scale.autoscaling \"{name}\" is invalid: spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0",
                new JsonObject { ["name"] = name, ["group"] = "autoscaling", ["kind"] = "Scale" });
        }

        var updated = _store.Patch(type, request.Namespace, name, PatchKind.Merge, scale.ReplicasPatch(replicas, ObjectMeta.ResourceVersion(desired)),
            statusOnly: false, dryRun, manager, "scale");
        await WriteAsync(context, HttpStatusCode.OK, scale.ToScale(updated)).ConfigureAwait(false);
    }
}
