using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Api.Tables;

/// <summary>
/// Server-side printing: when a client's Accept header asks for <c>application/json;as=Table;g=meta.k8s.io</c>
/// (kubectl get does, falling back to plain JSON), gets, lists and watch events are answered as
/// <c>meta.k8s.io/v1</c> Tables with the type's columns, each row carrying the object as
/// <c>includeObject</c> asks (default: its metadata only, as <c>PartialObjectMetadata</c>).
/// </summary>
internal sealed class TableResponse
{
    public const string ContentType = "application/json;as=Table;v=v1;g=meta.k8s.io";

    private readonly ResourceType _type;
    private readonly string _includeObject;
    private readonly TimeProvider _time;
    private readonly IReadOnlyList<TableColumn> _columns;

    private TableResponse(ResourceType type, string includeObject, TimeProvider time)
    {
        _type = type;
        _includeObject = includeObject;
        _time = time;
        _columns = TableColumns.For(type);
    }

    /// <summary>A Table writer when the request asks for one, else null.</summary>
    public static TableResponse? For(HttpRequest request, ResourceType type, TimeProvider time)
    {
        var accept = string.Join(',', request.Headers.Accept.Select(a => a ?? ""));
        var wantsTable = accept.Split(',').Any(media =>
        {
            var parameters = media.Split(';').Select(p => p.Trim()).ToList();
            return parameters.Contains("as=Table") && parameters.Contains("g=meta.k8s.io") && (parameters.Contains("v=v1") || parameters.Contains("v=v1beta1"));
        });
        if (!wantsTable)
        {
            return null;
        }

        var include = request.Query["includeObject"].FirstOrDefault() is { Length: > 0 } value ? value : "Metadata";
        if (include is not ("None" or "Metadata" or "Object"))
        {
            throw ApiException.BadRequest($"includeObject: Unsupported value: \"{include}\": supported values: \"None\", \"Metadata\", \"Object\"");
        }

        return new TableResponse(type, include, time);
    }

    public JsonObject ToTable(IEnumerable<JsonObject> items, string? resourceVersion, string? continueToken = null, long? remainingItemCount = null)
    {
        var metadata = new JsonObject();
        if (resourceVersion is not null)
        {
            metadata["resourceVersion"] = resourceVersion;
        }

        if (continueToken is not null)
        {
            metadata["continue"] = continueToken;
        }

        if (remainingItemCount is not null)
        {
            metadata["remainingItemCount"] = remainingItemCount;
        }

        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = metadata,
            ["columnDefinitions"] = new JsonArray(_columns.Select(c => (JsonNode?)c.Definition()).ToArray()),
            ["rows"] = new JsonArray(items.Select(o => (JsonNode?)Row(o, _time.GetUtcNow())).ToArray()),
        };
    }

    private JsonObject Row(JsonObject obj, DateTimeOffset now)
    {
        var row = new JsonObject { ["cells"] = new JsonArray(_columns.Select(c => c.Cell(obj, now)).ToArray()) };
        row["object"] = _includeObject switch
        {
            "Object" => obj.DeepClone(),
            "Metadata" => new JsonObject
            {
                ["kind"] = "PartialObjectMetadata",
                ["apiVersion"] = "meta.k8s.io/v1",
                ["metadata"] = ObjectMeta.Of(obj).DeepClone(),
            },
            _ => null,
        };
        return row;
    }
}
