using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;

namespace RoostKeeper.Ha.Recovery.Resources;

/// <summary>
/// What a restore needs from the server's answer to a create or replace: the new uid (to rewrite owner
/// references), the resourceVersion (for a following status write) and the status the server kept. Read
/// straight from the answer's JSON, without building a document of the whole object: a restore of many
/// objects would otherwise parse every answer twice.
/// </summary>
internal sealed record WrittenObject(string? Uid, string? ResourceVersion, JsonNode? Status)
{
    public static WrittenObject From(object answer)
    {
        if (answer is JsonElement element)
        {
            return Read(element);
        }

        using var document = JsonDocument.Parse(KubernetesJson.Serialize(answer));
        return Read(document.RootElement);
    }

    private static WrittenObject Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("The API server returned JSON that is not an object.");
        }

        string? uid = null;
        string? resourceVersion = null;
        if (root.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object)
        {
            uid = metadata.TryGetProperty("uid", out var u) ? u.GetString() : null;
            resourceVersion = metadata.TryGetProperty("resourceVersion", out var rv) ? rv.GetString() : null;
        }

        var status = root.TryGetProperty("status", out var s) && s.ValueKind != JsonValueKind.Null ? JsonNode.Parse(s.GetRawText()) : null;
        return new WrittenObject(uid, resourceVersion, status);
    }
}
