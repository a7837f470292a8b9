using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using RoostKeeper.Ha.Testing.Store;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Api;

/// <summary>Query parameters and content types read as the API server reads them: booleans, dryRun, integers and resourceVersions, and the patch formats.</summary>
internal sealed partial class ApiServer
{
    /// <summary>
    /// Server-side apply's content type. The body is JSON (how kubectl and KubernetesClient send it) or YAML.
    /// </summary>
    private static bool IsApplyPatch(string? contentType) =>
        string.Equals(contentType?.Split(';')[0].Trim(), "application/apply-patch+yaml", StringComparison.OrdinalIgnoreCase);

    private static PatchKind PatchKindOf(string? contentType)
    {
        var mediaType = contentType?.Split(';')[0].Trim();
        return mediaType switch
        {
            "application/merge-patch+json" => PatchKind.Merge,
            "application/strategic-merge-patch+json" => PatchKind.StrategicMerge,
            "application/json-patch+json" => PatchKind.Json,
            _ => throw ApiException.UnsupportedMediaType(
                $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got \"{mediaType}\")"),
        };
    }

    /// <summary>
    /// A boolean query parameter as the API server's query decoder reads it: present and anything but
    /// "0" or "false" (any case) is true, so the Python client's <c>watch=True</c> is a watch.
    /// </summary>
    private static bool IsTrue(Microsoft.Extensions.Primitives.StringValues values) =>
        values.Count > 0 && values[0] is { } value && value != "0" && !string.Equals(value, "false", StringComparison.OrdinalIgnoreCase);

    /// <summary><c>dryRun=All</c>, the only value the API server accepts; anything else is a 400.</summary>
    private static bool IsDryRun(IQueryCollection query)
    {
        var values = query["dryRun"];
        foreach (var value in values)
        {
            if (value != "All")
            {
                throw ApiException.BadRequest($"Invalid dryRun value: \"{value}\": supported values: \"All\"");
            }
        }

        return values.Count > 0;
    }

    /// <summary>A <c>DeleteOptions</c> body's <c>dryRun</c> list, e.g. <c>["All"]</c>.</summary>
    private static bool IsDryRun(JsonNode? values) =>
        values is JsonArray array && array.Count > 0 && array.All(v => v?.GetValue<string>() == "All")
            ? true
            : values is JsonArray { Count: > 0 } ? throw ApiException.BadRequest("Invalid dryRun value: supported values: \"All\"") : false;

    /// <summary>The resources whose registry sets ReturnDeletedObject in the real API server.</summary>
    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static int? ParseInt(string? value, string name) =>
        string.IsNullOrEmpty(value) ? null
        : int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n
        : throw ApiException.BadRequest($"invalid value for {name}: \"{value}\" is not an integer");

    private static long? ParseLong(string? value, string name) =>
        string.IsNullOrEmpty(value) ? null
        : long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n
        : throw ApiException.BadRequest($"invalid value for {name}: \"{value}\" is not a resourceVersion");

    /// <summary>
    /// The request's selectors; for a kind served converted from another's storage (<paramref name="conversion"/>),
    /// its field labels are first mapped to the stored kind's, and the request's type must be the stored one.
    /// </summary>
    private static WatchFilter Filter(ApiRequest request, IQueryCollection query, ResourceConversion? conversion = null)
    {
        var fields = NullIfEmpty(query["fieldSelector"]);
        if (conversion is not null && fields is not null)
        {
            fields = string.Join(',', fields.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(term =>
            {
                var end = term.IndexOfAny(['=', '!']);
                var label = end > 0 ? term[..end].Trim() : term;
                return label is "metadata.name" or "metadata.namespace" ? term
                    : conversion.FieldLabels.TryGetValue(label, out var stored) ? stored + term[label.Length..]
                    : throw ApiException.BadRequest($"field label not supported: {label}");
            }));
        }

        if (request.Name is not null)
        {
            fields = fields is null ? $"metadata.name={request.Name}" : $"{fields},metadata.name={request.Name}";
        }

        return new WatchFilter(request.Type, request.Namespace, LabelSelector.Parse(NullIfEmpty(query["labelSelector"])), FieldSelector.Parse(fields, request.Type));
    }
}
