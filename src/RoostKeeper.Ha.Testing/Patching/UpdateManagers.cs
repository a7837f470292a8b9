using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Patching;

/// <summary>
/// Field ownership of the writes that are not applies (create, update, JSON, merge and strategic merge
/// patches: kubectl's create, client-side apply, edit, replace, patch, scale), as the API server's field
/// manager records them: the fields a write sets or changes join its manager's <c>Update</c> entry (one per
/// manager, apiVersion and subresource) and leave every other entry, Apply ones included, because an update
/// always wins; fields it removes leave every entry. A later apply that sets one of those fields to another
/// value then conflicts with the Update manager, as on a real server.
/// </summary>
internal static class UpdateManagers
{
    private const char Separator = ServerSideApply.Separator;

    /// <summary>
    /// The field manager of a request as the API server names it: the <c>fieldManager</c> parameter, else
    /// the User-Agent up to its first '/' (kubectl without a manager of its own is "kubectl").
    /// </summary>
    public static string? ManagerOf(string? fieldManager, string? userAgent)
    {
        if (!string.IsNullOrEmpty(fieldManager))
        {
            return fieldManager;
        }

        var prefix = userAgent?.Split('/')[0];
        return string.IsNullOrEmpty(prefix) ? null : prefix.Length > 128 ? prefix[..128] : prefix;
    }

    /// <summary>
    /// Records in <paramref name="after"/>'s managedFields what <paramref name="manager"/> changed from
    /// <paramref name="before"/> (null for a create). Only the fields of the subresource written count:
    /// <c>status</c> for the status subresource, everything but a separate status otherwise.
    /// </summary>
    public static void Record(ResourceType type, JsonObject? before, JsonObject after, string manager, string? subresource, DateTimeOffset now)
    {
        bool Counts(string path) =>
            subresource == "status" ? IsStatus(path) : !(type.HasStatusSubresource && IsStatus(path));

        var afterPaths = ServerSideApply.Paths(after).Where(Counts).ToHashSet(StringComparer.Ordinal);
        var changed = afterPaths.Where(p => before is null || !JsonNode.DeepEquals(ServerSideApply.ValueAt(before, p), ServerSideApply.ValueAt(after, p)))
            .ToHashSet(StringComparer.Ordinal);
        var removed = before is null
            ? []
            : ServerSideApply.Paths(before).Where(Counts).Where(p => !afterPaths.Contains(p)).ToHashSet(StringComparer.Ordinal);
        if (changed.Count == 0 && removed.Count == 0)
        {
            return;
        }

        var apiVersion = type.ApiVersion;
        var entries = (ObjectMeta.Of(after)["managedFields"] as JsonArray)?.OfType<JsonObject>().Select(e => (JsonObject)e.DeepClone()).ToList() ?? [];
        var mine = entries.FirstOrDefault(e => IsUpdateBy(e, manager, apiVersion, subresource));
        var managed = new JsonArray();
        foreach (var entry in entries)
        {
            var owned = ServerSideApply.FieldSet(entry["fieldsV1"]);
            if (entry == mine)
            {
                owned.UnionWith(changed);
                entry["time"] = ObjectMeta.Timestamp(now);
            }
            else
            {
                owned.RemoveWhere(p => changed.Contains(p));
            }

            owned.RemoveWhere(p => removed.Any(r => p == r || p.StartsWith(r + Separator, StringComparison.Ordinal)));
            if (owned.Count > 0)
            {
                entry["fieldsV1"] = ServerSideApply.ToFieldsV1(owned);
                managed.Add(entry);
            }
        }

        if (mine is null && changed.Count > 0)
        {
            var entry = new JsonObject
            {
                ["manager"] = manager,
                ["operation"] = "Update",
                ["apiVersion"] = apiVersion,
                ["time"] = ObjectMeta.Timestamp(now),
                ["fieldsType"] = "FieldsV1",
                ["fieldsV1"] = ServerSideApply.ToFieldsV1(changed),
            };
            if (subresource is not null)
            {
                entry["subresource"] = subresource;
            }

            managed.Add(entry);
        }

        ObjectMeta.Of(after)["managedFields"] = managed;
    }

    private static bool IsStatus(string path) => path == "f:status" || path.StartsWith("f:status" + Separator, StringComparison.Ordinal);

    private static bool IsUpdateBy(JsonObject entry, string manager, string apiVersion, string? subresource) =>
        ServerSideApply.Text(entry["manager"]) == manager
        && ServerSideApply.Text(entry["operation"]) == "Update"
        && ServerSideApply.Text(entry["apiVersion"]) == apiVersion
        && ServerSideApply.Text(entry["subresource"]) == (subresource ?? "");
}
