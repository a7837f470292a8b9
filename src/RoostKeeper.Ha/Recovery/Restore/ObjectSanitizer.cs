using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Recovery.Restore;

/// <summary>
/// Turns a backed-up object into one the API server accepts as new: removes the fields the server sets
/// (uid, resourceVersion, creationTimestamp, generation, managedFields, deletionTimestamp,
/// deletionGracePeriodSeconds, selfLink), status unless asked to keep it, and ownerReferences to owners that
/// are not in the backup (a restored owner has a new uid, so its references are rewritten to it when known).
/// </summary>
internal static class ObjectSanitizer
{
    private static readonly string[] ServerSetMetadata =
        ["uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"];

    /// <summary>Returns the cleaned copy and notes on references it dropped.</summary>
    public static (JsonObject Object, IReadOnlyList<string> Notes) Clean(JsonObject original, string? targetNamespace, bool includeStatus, Func<string, string?> restoredUid) =>
        CleanInPlace((JsonObject)original.DeepClone(), targetNamespace, includeStatus, restoredUid);

    /// <summary>Cleans <paramref name="obj"/> itself (no copy: a restore parses each object once and owns it) and returns notes on references it dropped.</summary>
    public static (JsonObject Object, IReadOnlyList<string> Notes) CleanInPlace(JsonObject obj, string? targetNamespace, bool includeStatus, Func<string, string?> restoredUid)
    {
        var notes = new List<string>();
        if (!includeStatus)
        {
            obj.Remove("status");
        }

        if (obj["metadata"] is JsonObject metadata)
        {
            foreach (var field in ServerSetMetadata)
            {
                metadata.Remove(field);
            }

            if (targetNamespace is not null && metadata.ContainsKey("namespace"))
            {
                metadata["namespace"] = targetNamespace;
            }

            if (metadata["ownerReferences"] is JsonArray owners)
            {
                var kept = new JsonArray();
                foreach (var owner in owners.OfType<JsonObject>())
                {
                    var uid = owner["uid"]?.GetValue<string>();
                    if (uid is not null && restoredUid(uid) is { } newUid)
                    {
                        var copy = (JsonObject)owner.DeepClone(); // owner still belongs to the array being replaced
                        copy["uid"] = newUid;
                        kept.Add(copy);
                    }
                    else
                    {
                        notes.Add($"ownerReference to {owner["kind"]} {owner["name"]} dropped: the owner is not restored");
                    }
                }

                if (kept.Count == 0)
                {
                    metadata.Remove("ownerReferences");
                }
                else
                {
                    metadata["ownerReferences"] = kept;
                }
            }
        }

        return (obj, notes);
    }

    /// <summary>A live object reduced to what a backup object is compared on (server-set fields and, unless kept, status removed).</summary>
    public static JsonObject Comparable(JsonObject live, bool includeStatus)
    {
        var (clean, _) = Clean(live, null, includeStatus, _ => null);
        if (clean["metadata"] is JsonObject metadata)
        {
            metadata.Remove("ownerReferences");
        }

        return clean;
    }
}
