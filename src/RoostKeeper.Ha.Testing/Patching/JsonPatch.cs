using System.Globalization;
using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Patching;

/// <summary>
/// RFC 6902 JSON patch (<c>application/json-patch+json</c>): add, remove, replace, move, copy and test,
/// addressed by RFC 6901 JSON pointers. Written here because no maintained System.Text.Json
/// implementation for <see cref="JsonNode"/> is available from this project's package source.
/// </summary>
internal static class JsonPatch
{
    public static JsonNode Apply(JsonNode target, JsonNode? patch)
    {
        if (patch is not JsonArray operations)
        {
            throw ApiException.BadRequest("a JSON patch must be an array of operations");
        }

        var document = target.DeepClone();
        foreach (var operation in operations)
        {
            if (operation is not JsonObject op)
            {
                throw ApiException.BadRequest("each JSON patch operation must be an object");
            }

            var kind = op["op"]?.GetValue<string>() ?? throw ApiException.BadRequest("a JSON patch operation needs \"op\"");
            var path = op["path"]?.GetValue<string>() ?? throw ApiException.BadRequest($"JSON patch operation \"{kind}\" needs \"path\"");
            switch (kind)
            {
                case "add":
                    document = Add(document, path, RequireValue(op, kind));
                    break;
                case "remove":
                    Remove(document, path);
                    break;
                case "replace":
                    Remove(document, path);
                    document = Add(document, path, RequireValue(op, kind));
                    break;
                case "move":
                {
                    var from = From(op, kind);
                    var value = Get(document, from);
                    Remove(document, from);
                    document = Add(document, path, value);
                    break;
                }

                case "copy":
                    document = Add(document, path, Get(document, From(op, kind)));
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(document, path), op["value"]))
                    {
                        throw Invalid($"test operation failed: the value at \"{path}\" is not the expected value");
                    }

                    break;
                default:
                    throw ApiException.BadRequest($"unknown JSON patch operation \"{kind}\"");
            }
        }

        return document;
    }

    private static JsonNode? RequireValue(JsonObject op, string kind) =>
        op.ContainsKey("value") ? op["value"]?.DeepClone() : throw ApiException.BadRequest($"JSON patch operation \"{kind}\" needs \"value\"");

    private static string From(JsonObject op, string kind) =>
        op["from"]?.GetValue<string>() ?? throw ApiException.BadRequest($"JSON patch operation \"{kind}\" needs \"from\"");

    private static ApiException Invalid(string message) =>
        new(System.Net.HttpStatusCode.UnprocessableEntity, "Invalid", message);

    private static string[] Segments(string pointer)
    {
        if (pointer.Length == 0)
        {
            return [];
        }

        if (pointer[0] != '/')
        {
            throw ApiException.BadRequest($"JSON pointer \"{pointer}\" must start with '/'");
        }

        return pointer[1..].Split('/').Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
    }

    private static JsonNode? Get(JsonNode document, string pointer)
    {
        JsonNode? node = document;
        foreach (var segment in Segments(pointer))
        {
            node = node switch
            {
                JsonObject obj when obj.TryGetPropertyValue(segment, out var child) => child,
                JsonArray array when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < array.Count => array[index],
                _ => throw Invalid($"JSON pointer \"{pointer}\" does not exist in the object"),
            };
        }

        return node?.DeepClone();
    }

    private static (JsonNode Parent, string Last) Parent(JsonNode document, string pointer)
    {
        var segments = Segments(pointer);
        JsonNode? node = document;
        foreach (var segment in segments[..^1])
        {
            node = node switch
            {
                JsonObject obj when obj[segment] is { } child => child,
                JsonArray array when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < array.Count && array[i] is { } item => item,
                _ => throw Invalid($"JSON pointer \"{pointer}\": the parent does not exist"),
            };
        }

        return (node!, segments[^1]);
    }

    private static JsonNode Add(JsonNode document, string pointer, JsonNode? value)
    {
        if (pointer.Length == 0)
        {
            return value ?? throw Invalid("cannot replace the whole document with null");
        }

        var (parent, last) = Parent(document, pointer);
        switch (parent)
        {
            case JsonObject obj:
                obj[last] = value;
                break;
            case JsonArray array when last == "-":
                array.Add(value);
                break;
            case JsonArray array when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index <= array.Count:
                array.Insert(index, value);
                break;
            default:
                throw Invalid($"JSON pointer \"{pointer}\" cannot be added to");
        }

        return document;
    }

    private static void Remove(JsonNode document, string pointer)
    {
        var (parent, last) = Parent(document, pointer);
        switch (parent)
        {
            case JsonObject obj when obj.ContainsKey(last):
                obj.Remove(last);
                break;
            case JsonArray array when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < array.Count:
                array.RemoveAt(index);
                break;
            default:
                throw Invalid($"JSON pointer \"{pointer}\" does not exist in the object");
        }
    }
}
