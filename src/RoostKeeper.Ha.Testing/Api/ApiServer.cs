using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using RoostKeeper.Ha.Testing.Api.Tables;
using RoostKeeper.Ha.Testing.Authorization;
using RoostKeeper.Ha.Testing.Diagnostics;
using RoostKeeper.Ha.Testing.Patching;
using RoostKeeper.Ha.Testing.Protobuf;
using RoostKeeper.Ha.Testing.Store;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Api;

/// <summary>
/// The HTTP face of the simulated API server: decodes the request, applies the client's faults, calls the
/// store and writes JSON (objects, lists, watch event streams and <c>Status</c> errors) as the real one does.
/// </summary>
internal sealed partial class ApiServer
{
    /// <summary>The header a <see cref="SimulatedCluster"/> client sends its name in.</summary>
    public const string ClientHeader = "X-RoostHa-Client";

    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    private readonly ObjectStore _store;
    private readonly ClusterFaults _faults;
    private readonly RequestLog _requests;
    private readonly CancellationToken _shuttingDown;
    private readonly SimulatorErrors _errors;
    private readonly RequestAccess _access;

    public ApiServer(ObjectStore store, ClusterFaults faults, RequestLog requests, RequestAccess access, CancellationToken shuttingDown)
    {
        _store = store;
        _access = access;
        _faults = faults;
        _requests = requests;
        _shuttingDown = shuttingDown;
        _errors = store.Errors;
    }

    public async Task HandleAsync(HttpContext context)
    {
        var client = context.Request.Headers[ClientHeader].FirstOrDefault() ?? "anonymous";
        var faults = _faults.For(client);
        faults.Track(context);
        try
        {
            var query = context.Request.Query;
            var request = ApiRequest.Parse(context.Request.Method, context.Request.Path.Value ?? "/", IsTrue(query["watch"]), _store.Registry);
            // DeleteOptions may carry dryRun in the body (kubectl sends it there), so it is read up front.
            var deleteOptions = request?.Verb is "delete" or "deletecollection" ? await ReadOptionalObjectAsync(context).ConfigureAwait(false) : null;
            var dryRun = request is not null && RequestLog.IsWrite(request.Verb) && (IsDryRun(query) | IsDryRun(deleteOptions?["dryRun"]));
            _requests.Record(client, request?.Verb ?? "get", request?.Resource ?? (context.Request.Path.Value ?? "/"), dryRun);

            if (faults.Partition is { } partition)
            {
                if (partition == PartitionMode.Blackhole)
                {
                    await Task.WhenAny(faults.Healed, Task.Delay(Timeout.Infinite, context.RequestAborted)).ConfigureAwait(false);
                }

                context.Abort();
                return;
            }

            if (faults.Latency > TimeSpan.Zero)
            {
                await Task.Delay(faults.Latency, context.RequestAborted).ConfigureAwait(false);
            }

            if (faults.Failures.TryDequeue(out var injected))
            {
                await WriteAsync(context, injected, ApiException.StatusFor(injected, ApiException.ReasonFor(injected), $"injected fault: {(int)injected} for client \"{client}\"")).ConfigureAwait(false);
                return;
            }

            _access.Admit(context, request is null ? null : user => request.Attributes(user, query["fieldSelector"].FirstOrDefault()));
            if (request is null)
            {
                await ServeDiscoveryAsync(context).ConfigureAwait(false);
                return;
            }

            await ServeAsync(context, request, dryRun, deleteOptions).ConfigureAwait(false);
            if (RequestLog.IsWrite(request.Verb) && !dryRun)
            {
                _requests.RecordPersisted(client, request.Verb, request.Resource);
            }
        }
        catch (ApiException e)
        {
            SimulatorLog.RequestFailed(_errors.Logger, context.Request.Method, context.Request.Path.Value ?? "/", (int)e.Code, e.Reason, e.Message);
            if (!context.Response.HasStarted)
            {
                await WriteAsync(context, e.Code, e.ToStatus()).ConfigureAwait(false);
            }
        }
        catch (JsonException e)
        {
            if (!context.Response.HasStarted)
            {
                await WriteAsync(context, HttpStatusCode.BadRequest, ApiException.StatusFor(HttpStatusCode.BadRequest, "BadRequest", $"the request body is not valid JSON: {e.Message}")).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested || _shuttingDown.IsCancellationRequested)
        {
            // The client went away, was partitioned, or the cluster is stopping.
        }
        catch (Exception e) when (IsClientAbort(context, e))
        {
            // The client stopped sending its body (a cancelled request, a partition): Kestrel reports it as a
            // bad request or a reset connection. Not a simulator fault, so not in SimulatedCluster.Errors.
            SimulatorLog.RequestFailed(_errors.Logger, context.Request.Method, context.Request.Path.Value ?? "/", (int)HttpStatusCode.BadRequest, "BadRequest", e.Message);
            if (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
            {
                // Still connected (a body Kestrel refused): answer as the real server does, with a 400.
                await WriteAsync(context, HttpStatusCode.BadRequest, ApiException.StatusFor(HttpStatusCode.BadRequest, "BadRequest", $"the request could not be read: {e.Message}")).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException && !context.Response.HasStarted)
        {
            // As the real server recovers from a handler panic: a 500 with a Status body that says what failed.
            // It is a simulator bug, so it is also reported where a test can see it.
            _errors.Unexpected($"ApiServer {context.Request.Method} {context.Request.Path}{context.Request.QueryString}", e);
            await WriteAsync(context, HttpStatusCode.InternalServerError, ApiException.StatusFor(
                HttpStatusCode.InternalServerError, "InternalError", $"Internal error occurred: {e.GetType().Name}: {e.Message}")).ConfigureAwait(false);
        }
        finally
        {
            faults.Untrack(context);
        }
    }

    /// <summary>Whether <paramref name="error"/> is the client going away mid-request rather than a fault of the simulator.</summary>
    private static bool IsClientAbort(HttpContext context, Exception error) =>
        error is BadHttpRequestException || (error is IOException && context.RequestAborted.IsCancellationRequested);

    private async Task ServeAsync(HttpContext context, ApiRequest request, bool dryRun, JsonObject? deleteOptions)
    {
        var type = request.Type;
        var query = context.Request.Query;
        var manager = UpdateManagers.ManagerOf(query["fieldManager"], context.Request.Headers.UserAgent);
        if (request.Subresource is null && !type.Verbs.Contains(request.Verb))
        {
            throw ApiException.MethodNotAllowed("the server does not allow this method on the requested resource");
        }

        if (type.IsReview && request.Verb == "create")
        {
            await AnswerReviewAsync(context, request).ConfigureAwait(false);
            return;
        }

        if (type.Conversion is { } conversion)
        {
            await ServeConvertedAsync(context, request, conversion, dryRun, deleteOptions, manager).ConfigureAwait(false);
            return;
        }

        switch (request.Verb)
        {
            case "get" when request.Subresource is null || IsStatus(request):
            {
                var obj = _store.Get(type, request.Namespace, request.Name!);
                if (TableResponse.For(context.Request, type, _store.Time) is { } table)
                {
                    await WriteAsync(context, HttpStatusCode.OK, table.ToTable([obj], ObjectMeta.ResourceVersion(obj)), TableResponse.ContentType).ConfigureAwait(false);
                    break;
                }

                await WriteAsync(context, HttpStatusCode.OK, obj).ConfigureAwait(false);
                break;
            }

            case "get" or "update" or "patch" when request.Subresource == "scale" && type.Scale is { } scale:
                await ServeScaleAsync(context, request, scale, dryRun, manager).ConfigureAwait(false);
                break;
            case "list":
            {
                var filter = Filter(request, query);
                var page = _store.List(filter, ParseInt(query["limit"], "limit"), NullIfEmpty(query["continue"]));
                if (TableResponse.For(context.Request, type, _store.Time) is { } table)
                {
                    var body = table.ToTable(page.Items, page.ResourceVersion.ToString(CultureInfo.InvariantCulture), page.Continue, page.RemainingItemCount);
                    await WriteAsync(context, HttpStatusCode.OK, body, TableResponse.ContentType).ConfigureAwait(false);
                    break;
                }

                await WriteListAsync(context, type, page).ConfigureAwait(false);
                break;
            }

            case "watch":
                await WatchAsync(context, request).ConfigureAwait(false);
                break;
            case "create" when request.Subresource is null:
            {
                var body = await ReadObjectAsync(context).ConfigureAwait(false);
                if (!string.IsNullOrEmpty(ObjectMeta.ResourceVersion(body)))
                {
                    // etcd3 storage refuses it with a plain error, which the API server reports as an internal error.
                    throw new ApiException(HttpStatusCode.InternalServerError, "InternalError", "Internal error occurred: resourceVersion should not be set on objects to be created");
                }

                Validate(context, type, body);
                var created = _store.Create(type, request.Namespace, body, dryRun, manager);
                await WriteAsync(context, HttpStatusCode.Created, created).ConfigureAwait(false);
                break;
            }

            case "update" when request.Subresource is null || IsStatus(request):
            {
                var body = await ReadObjectAsync(context).ConfigureAwait(false);
                Validate(context, type, body);
                var updated = _store.Replace(type, request.Namespace, request.Name!, body, request.Subresource == "status", dryRun, manager);
                await WriteAsync(context, HttpStatusCode.OK, updated).ConfigureAwait(false);
                break;
            }

            case "patch" when IsApplyPatch(context.Request.ContentType) && (request.Subresource is null || IsStatus(request)):
            {
                var applier = NullIfEmpty(query["fieldManager"])
                    ?? throw ApiException.BadRequest("PATCH requests with an apply content type (application/apply-patch+yaml) must set the fieldManager parameter");
                var applied = await ReadObjectAsync(context).ConfigureAwait(false);
                Validate(context, type, applied);
                var force = IsTrue(query["force"]);
                var result = _store.Apply(type, request.Namespace, request.Name!, applied, applier, force, request.Subresource == "status", dryRun);
                await WriteAsync(context, HttpStatusCode.OK, result).ConfigureAwait(false);
                break;
            }

            case "patch" when request.Subresource is null || IsStatus(request):
            {
                var kind = PatchKindOf(context.Request.ContentType);
                if (kind == PatchKind.StrategicMerge && type.IsCustom)
                {
                    // Custom resources have no Go struct tags to merge by: the server refuses the patch type.
                    throw ApiException.UnsupportedMediaType("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
                }
                var patch = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
                if (FieldValidation.Directive(query["fieldValidation"]) != "Ignore")
                {
                    // Validation looks at the patched object; the store applies the patch again, atomically.
                    if (_store.PreviewPatch(type, request.Namespace, request.Name!, kind, patch) is JsonObject preview)
                    {
                        Validate(context, type, preview);
                    }
                }

                var patched = _store.Patch(type, request.Namespace, request.Name!, kind, patch, request.Subresource == "status", dryRun, manager);
                await WriteAsync(context, HttpStatusCode.OK, patched).ConfigureAwait(false);
                break;
            }

            case "delete" when request.Subresource is null:
            {
                var options = deleteOptions;
                var policy = options?["propagationPolicy"]?.GetValue<string>() ?? NullIfEmpty(query["propagationPolicy"]);
                var (deleted, kept) = _store.Delete(
                    type,
                    request.Namespace,
                    request.Name!,
                    options?["preconditions"]?["uid"]?.GetValue<string>(),
                    options?["preconditions"]?["resourceVersion"]?.GetValue<string>(),
                    orphanDependents: policy == "Orphan" || options?["orphanDependents"]?.GetValue<bool>() == true,
                    dryRun: dryRun,
                    foreground: policy == "Foreground");
                if (kept || type.ReturnsDeletedObject)
                {
                    // 200 with the object while finalizers keep it; some registries return the deleted object too.
                    await WriteAsync(context, HttpStatusCode.OK, deleted).ConfigureAwait(false);
                    break;
                }

                await WriteAsync(context, HttpStatusCode.OK, new JsonObject
                {
                    ["kind"] = "Status",
                    ["apiVersion"] = "v1",
                    ["metadata"] = new JsonObject(),
                    ["status"] = "Success",
                    ["details"] = type.DetailsFor(request.Name!),
                }).ConfigureAwait(false);
                break;
            }

            case "deletecollection":
            {
                var page = _store.List(Filter(request, query));
                var deleted = new List<JsonObject>();
                foreach (var item in page.Items)
                {
                    try
                    {
                        deleted.Add((JsonObject)item.DeepClone());
                        _store.Delete(type, ObjectMeta.Namespace(item), ObjectMeta.Name(item), dryRun: dryRun);
                    }
                    catch (ApiException e) when (e.Code == HttpStatusCode.NotFound)
                    {
                        // Deleted concurrently (e.g. by garbage collection of an earlier item).
                    }
                }

                await WriteListAsync(context, type, new ListResult(deleted, _store.CurrentResourceVersion, null, null)).ConfigureAwait(false);
                break;
            }

            case var _ when type.IsCustom && request.Subresource is not null && request.Name is not null:
                // The CRD handler answers a subresource the definition does not declare as a missing object.
                throw ApiException.NotFound(type, request.Name);
            default:
                throw new ApiException(HttpStatusCode.NotFound, "NotFound", $"the server could not find the requested resource ({request.Verb} {request.Resource})");
        }
    }

    /// <summary>Field validation as the request asks: Strict throws 400, Warn adds a Warning header per unknown field.</summary>
    private static void Validate(HttpContext context, ResourceType type, JsonObject obj)
    {
        foreach (var warning in FieldValidation.Check(type, obj, FieldValidation.Directive(context.Request.Query["fieldValidation"])))
        {
            context.Response.Headers.Append("Warning", $"299 - \"{warning.Replace("\"", "\\\"", StringComparison.Ordinal)}\"");
        }
    }

    private async Task WatchAsync(HttpContext context, ApiRequest request, ResourceConversion? conversion = null)
    {
        var query = context.Request.Query;
        var filter = Filter(request, query, conversion);
        var since = ParseLong(query["resourceVersion"], "resourceVersion");
        var table = TableResponse.For(context.Request, request.Type, _store.Time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _shuttingDown);
        if (ParseInt(query["timeoutSeconds"], "timeoutSeconds") is > 0 and var seconds)
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(seconds));
        }

        context.Response.StatusCode = (int)HttpStatusCode.OK;
        context.Response.ContentType = "application/json";
        WatchSubscription subscription;
        try
        {
            subscription = _store.Watch(filter, since);
        }
        catch (ApiException e) when (e.Code == HttpStatusCode.Gone)
        {
            // The watch cache answers a too-old resourceVersion with 200 and one ERROR event (410 Expired).
            await WriteEventAsync(context, "ERROR", e.ToStatus(), CancellationToken.None).ConfigureAwait(false);
            return;
        }

        using (subscription)
        {
            // A real API server sends the 200 and its headers at once, before any event: clients (kubectl
            // rollout status, kubectl wait, client-go informers) wait for them before reading the stream.
            await context.Response.StartAsync(timeout.Token).ConfigureAwait(false);
            await context.Response.BodyWriter.FlushAsync(timeout.Token).ConfigureAwait(false);
            try
            {
                while (await subscription.Events.WaitToReadAsync(timeout.Token).ConfigureAwait(false))
                {
                    while (subscription.Events.TryRead(out var e))
                    {
                        // kubectl get -w asks for Tables: each event then carries a one-row Table.
                        var obj = table is not null ? table.ToTable([e.Object], ObjectMeta.ResourceVersion(e.Object))
                            : conversion is not null ? conversion.FromStored(e.Object)
                            : e.Object;
                        await WriteEventAsync(context, e.Type, obj, timeout.Token).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
            {
                // timeoutSeconds elapsed or the cluster is stopping: end the stream cleanly.
            }
        }
    }

    private static async Task WriteEventAsync(HttpContext context, string type, JsonObject obj, CancellationToken cancellationToken)
    {
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            writer.WritePropertyName("object");
            obj.WriteTo(writer);
            writer.WriteEndObject();
        }

        context.Response.BodyWriter.Write("\n"u8);
        await context.Response.BodyWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteListAsync(HttpContext context, ResourceType type, ListResult page)
    {
        context.Response.StatusCode = (int)HttpStatusCode.OK;
        context.Response.ContentType = "application/json";
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("kind", type.ListKind);
            writer.WriteString("apiVersion", type.ApiVersion);
            writer.WriteStartObject("metadata");
            writer.WriteString("resourceVersion", page.ResourceVersion.ToString(CultureInfo.InvariantCulture));
            if (page.Continue is not null)
            {
                writer.WriteString("continue", page.Continue);
            }

            if (page.RemainingItemCount is { } remaining)
            {
                writer.WriteNumber("remainingItemCount", remaining);
            }

            writer.WriteEndObject();
            writer.WriteStartArray("items");
            foreach (var item in page.Items)
            {
                item.WriteTo(writer);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteAsync(HttpContext context, HttpStatusCode code, JsonObject body, string contentType = "application/json")
    {
        context.Response.StatusCode = (int)code;
        context.Response.ContentType = contentType;
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter, WriterOptions))
        {
            body.WriteTo(writer);
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpContext context) =>
        await ReadOptionalObjectAsync(context).ConfigureAwait(false) ?? throw ApiException.BadRequest("the request body must be a JSON object");

    private static async Task<JsonObject?> ReadOptionalObjectAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        if (buffer.Length == 0)
        {
            return null;
        }

        if (KubernetesProtobuf.IsProtobuf(context.Request.ContentType))
        {
            try
            {
                return KubernetesProtobuf.Decode(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
            }
            catch (NotSupportedException e)
            {
                throw ApiException.UnsupportedMediaType(e.Message);
            }
            catch (FormatException e)
            {
                throw ApiException.BadRequest($"the request body is not valid protobuf: {e.Message}");
            }
        }

        var bytes = buffer.ToArray();
        if (IsApplyPatch(context.Request.ContentType) && bytes.SkipWhile(b => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n').FirstOrDefault() is not ((byte)'{' or (byte)'['))
        {
            // An apply body may be YAML; JSON (what kubectl and KubernetesClient send) is YAML too, read as JSON.
            return Patching.YamlBody.Parse(System.Text.Encoding.UTF8.GetString(bytes)) as JsonObject ?? throw ApiException.BadRequest("the request body must be an object");
        }

        return JsonNode.Parse(bytes) as JsonObject ?? throw ApiException.BadRequest("the request body must be a JSON object");
    }

    /// <summary>A /status request for a resource that has the status subresource (others answer 404).</summary>
    private static bool IsStatus(ApiRequest request) => request.Subresource == "status" && request.Type.HasStatusSubresource;
}
