using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using RoostKeeper.Ha.Testing.Api.Tables;
using RoostKeeper.Ha.Testing.Patching;
using RoostKeeper.Ha.Testing.Resources;
using RoostKeeper.Ha.Testing.Store;

namespace RoostKeeper.Ha.Testing.Api;

/// <summary>
/// A kind served from another kind's storage (events.k8s.io/v1 Events from core/v1 Events): requests are
/// turned into the stored kind's, run through the same store, and every object on the way out converted
/// back, so both groups read and write one set of objects as on a real server. Tables use the stored kind's
/// columns (one printer for both, as there).
/// </summary>
internal sealed partial class ApiServer
{
    private async Task ServeConvertedAsync(HttpContext context, ApiRequest request, ResourceConversion conversion, bool dryRun, JsonObject? deleteOptions, string? manager)
    {
        var type = request.Type;
        var stored = request with { Type = conversion.StoredAs };
        var storedType = conversion.StoredAs;
        var query = context.Request.Query;
        switch (request.Verb)
        {
            case "get" when request.Subresource is null:
            {
                var obj = _store.Get(storedType, request.Namespace, request.Name!);
                if (TableResponse.For(context.Request, storedType, _store.Time) is { } table)
                {
                    await WriteAsync(context, HttpStatusCode.OK, table.ToTable([obj], ObjectMeta.ResourceVersion(obj)), TableResponse.ContentType).ConfigureAwait(false);
                    break;
                }

                await WriteAsync(context, HttpStatusCode.OK, conversion.FromStored(obj)).ConfigureAwait(false);
                break;
            }

            case "list":
            {
                var page = _store.List(Filter(stored, query, conversion), ParseInt(query["limit"], "limit"), NullIfEmpty(query["continue"]));
                if (TableResponse.For(context.Request, storedType, _store.Time) is { } table)
                {
                    var body = table.ToTable(page.Items, page.ResourceVersion.ToString(CultureInfo.InvariantCulture), page.Continue, page.RemainingItemCount);
                    await WriteAsync(context, HttpStatusCode.OK, body, TableResponse.ContentType).ConfigureAwait(false);
                    break;
                }

                await WriteListAsync(context, type, page with { Items = [.. page.Items.Select(conversion.FromStored)] }).ConfigureAwait(false);
                break;
            }

            case "watch":
                await WatchAsync(context, stored, conversion).ConfigureAwait(false);
                break;
            case "create" when request.Subresource is null:
            {
                var body = conversion.ToStored(await ReadObjectAsync(context).ConfigureAwait(false));
                var created = _store.Create(storedType, request.Namespace, body, dryRun, manager);
                await WriteAsync(context, HttpStatusCode.Created, conversion.FromStored(created)).ConfigureAwait(false);
                break;
            }

            case "update" when request.Subresource is null:
            {
                var body = conversion.ToStored(await ReadObjectAsync(context).ConfigureAwait(false));
                var updated = _store.Replace(storedType, request.Namespace, request.Name!, body, statusOnly: false, dryRun, manager);
                await WriteAsync(context, HttpStatusCode.OK, conversion.FromStored(updated)).ConfigureAwait(false);
                break;
            }

            case "patch" when request.Subresource is null:
            {
                if (IsApplyPatch(context.Request.ContentType))
                {
                    throw ApiException.UnsupportedMediaType(
                        $"SimulatedCluster does not serve server-side apply of {type.QualifiedPlural}; apply the {storedType.ApiVersion} {storedType.Kind} it is stored as, or patch with application/merge-patch+json");
                }

                // The patch is in this kind's shape: applied to the converted object, then written back as
                // a replace that must meet the resourceVersion it was read at.
                var kind = PatchKindOf(context.Request.ContentType);
                var patch = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
                var current = conversion.FromStored(_store.Get(storedType, request.Namespace, request.Name!));
                var patched = (kind == PatchKind.Json ? JsonPatch.Apply(current, patch) : JsonMergePatch.Apply(current, patch)) as JsonObject
                    ?? throw ApiException.BadRequest("the patch must leave an object");
                ObjectMeta.Of(patched)["resourceVersion"] = ObjectMeta.ResourceVersion(current);
                var updated = _store.Replace(storedType, request.Namespace, request.Name!, conversion.ToStored(patched), statusOnly: false, dryRun, manager);
                await WriteAsync(context, HttpStatusCode.OK, conversion.FromStored(updated)).ConfigureAwait(false);
                break;
            }

            case "delete" or "deletecollection" when request.Subresource is null:
                await ServeAsync(context, stored, dryRun, deleteOptions).ConfigureAwait(false);
                break;
            default:
                throw new ApiException(HttpStatusCode.NotFound, "NotFound", $"the server could not find the requested resource ({request.Verb} {request.Resource})");
        }
    }
}
