using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Testing.Patching;

/// <summary>
/// Strategic merge patch (<c>application/strategic-merge-patch+json</c>) for the built-in types: a merge
/// patch in which lists with a patch merge key (containers by name, env by name, ports by containerPort,
/// conditions by type, ...) are merged element by element instead of replaced, lists with the merge
/// strategy (finalizers) are unioned, and the <c>$patch</c>, <c>$deleteFromPrimitiveList</c>,
/// <c>$setElementOrder</c> and <c>$retainKeys</c> directives are honoured. The real server reads merge
/// keys from Go struct tags; the table below holds the ones of the types a controller commonly patches.
/// </summary>
internal static class StrategicMergePatch
{
    private static readonly Dictionary<string, string> MergeKeys = new(StringComparer.Ordinal)
    {
        ["containers"] = "name",
        ["initContainers"] = "name",
        ["ephemeralContainers"] = "name",
        ["env"] = "name",
        ["volumes"] = "name",
        ["volumeMounts"] = "mountPath",
        ["volumeDevices"] = "devicePath",
        ["imagePullSecrets"] = "name",
        ["conditions"] = "type",
        ["ownerReferences"] = "uid",
        ["hostAliases"] = "ip",
        ["topologySpreadConstraints"] = "topologyKey",
        ["resourceClaims"] = "name",
        ["containerStatuses"] = "name",
    };

    private static readonly HashSet<string> PrimitiveMergeLists = new(StringComparer.Ordinal) { "finalizers" };

    /// <summary>Whether a list of scalars merges as a set (finalizers) rather than being replaced.</summary>
    internal static bool IsPrimitiveMergeList(string field) => PrimitiveMergeLists.Contains(field);

    public static JsonNode? Apply(JsonNode? target, JsonNode? patch) => Merge(target, patch, parentField: null);

    private static JsonNode? Merge(JsonNode? target, JsonNode? patch, string? parentField)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var directive = patchObject["$patch"]?.GetValue<string>();
        if (directive == "replace")
        {
            var replacement = (JsonObject)patchObject.DeepClone();
            replacement.Remove("$patch");
            return replacement;
        }

        if (directive == "delete")
        {
            return null;
        }

        var result = target is JsonObject targetObject ? (JsonObject)targetObject.DeepClone() : new JsonObject();
        if (patchObject["$retainKeys"] is JsonArray retain)
        {
            var keep = retain.Select(k => k!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
            foreach (var key in result.Select(p => p.Key).Where(k => !keep.Contains(k)).ToList())
            {
                result.Remove(key);
            }
        }

        foreach (var (key, value) in patchObject)
        {
            if (key is "$patch" or "$retainKeys" || key.StartsWith("$setElementOrder/", StringComparison.Ordinal))
            {
                continue;
            }

            if (key.StartsWith("$deleteFromPrimitiveList/", StringComparison.Ordinal))
            {
                var field = key["$deleteFromPrimitiveList/".Length..];
                if (result[field] is JsonArray list && value is JsonArray remove)
                {
                    foreach (var item in list.Where(i => remove.Any(r => JsonNode.DeepEquals(r, i))).ToList())
                    {
                        list.Remove(item);
                    }
                }

                continue;
            }

            if (value is null)
            {
                result.Remove(key);
            }
            else if (value is JsonArray patchList)
            {
                result[key] = MergeList(result[key] as JsonArray, patchList, key, parentField);
            }
            else
            {
                result[key] = Merge(result[key], value, key);
            }
        }

        return result;
    }

    private static JsonArray MergeList(JsonArray? target, JsonArray patch, string field, string? parentField)
    {
        if (PrimitiveMergeLists.Contains(field))
        {
            var union = target is null ? new JsonArray() : (JsonArray)target.DeepClone();
            foreach (var item in patch.Where(p => !union.Any(u => JsonNode.DeepEquals(u, p))))
            {
                union.Add(item?.DeepClone());
            }

            return union;
        }

        var mergeKey = MergeKeyFor(field, parentField);
        if (mergeKey is null || target is null)
        {
            var replaced = new JsonArray();
            foreach (var item in patch.Where(p => (p as JsonObject)?["$patch"]?.GetValue<string>() != "delete"))
            {
                replaced.Add(Merge(null, item, field));
            }

            return replaced;
        }

        var result = (JsonArray)target.DeepClone();
        foreach (var element in patch)
        {
            if (element is not JsonObject patchElement || patchElement[mergeKey] is not { } keyValue)
            {
                result.Add(element?.DeepClone());
                continue;
            }

            var index = IndexOf(result, mergeKey, keyValue);
            var merged = Merge(index >= 0 ? result[index] : null, patchElement, field);
            if (index >= 0)
            {
                result.RemoveAt(index);
                if (merged is not null)
                {
                    result.Insert(index, merged);
                }
            }
            else if (merged is not null)
            {
                result.Add(merged);
            }
        }

        return result;
    }

    /// <summary>The merge key of a list field (its item's parent field decides a port's), or null for a list replaced whole.</summary>
    internal static string? MergeKeyFor(string field, string? parentField) =>
        field == "ports"
            ? parentField is "containers" or "initContainers" or "ephemeralContainers" ? "containerPort" : "port"
            : MergeKeys.GetValueOrDefault(field);

    private static int IndexOf(JsonArray list, string key, JsonNode value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (JsonNode.DeepEquals((list[i] as JsonObject)?[key], value))
            {
                return i;
            }
        }

        return -1;
    }
}
