using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Testing.Admission.Kinds;

/// <summary>
/// ValidatePodUpdate of v1.33: a pod's spec is fixed once created but for its containers' and init containers'
/// images, a lower <c>activeDeadlineSeconds</c>, added tolerations (and their tolerationSeconds), removed
/// scheduling gates, a negative terminationGracePeriodSeconds set to 1, and (for a pod that still has scheduling
/// gates) its nodeSelector and node affinity. Anything else is the server's Forbidden with its message; the Go
/// <c>cmp.Diff</c> the server appends (deliberately unstable upstream) is replaced by the paths that differ.
/// </summary>
internal static class PodUpdateValidation
{
    public const string UpdatableFields =
        "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`," +
        "`spec.tolerations` (only additions to existing tolerations)," +
        "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

    public static void Validate(JsonObject obj, JsonObject old, FieldErrors errors)
    {
        var spec = obj["spec"] as JsonObject ?? [];
        var oldSpec = old["spec"] as JsonObject ?? [];
        foreach (var list in new[] { "containers", "initContainers" })
        {
            if (!ValidateContainers(spec[list] as JsonArray ?? [], oldSpec[list] as JsonArray ?? [], $"spec.{list}", errors))
            {
                return; // as upstream: a changed number of containers stops the checks
            }
        }

        var deadline = GoValues.Long(spec["activeDeadlineSeconds"]);
        var oldDeadline = GoValues.Long(oldSpec["activeDeadlineSeconds"]);
        if (deadline is { } value)
        {
            if (value is < 0 or > int.MaxValue)
            {
                errors.Add(FieldError.Invalid("spec.activeDeadlineSeconds", value, $"must be between 0 and {int.MaxValue}, inclusive"));
                return;
            }

            if (oldDeadline < value)
            {
                errors.Add(FieldError.Invalid("spec.activeDeadlineSeconds", value, "must be less than or equal to previous value"));
                return;
            }
        }
        else if (oldDeadline is not null)
        {
            errors.Add(FieldError.InvalidRendered("spec.activeDeadlineSeconds", "null", "must not update from a positive integer to nil value"));
        }

        ValidateOnlyAddedTolerations(spec["tolerations"] as JsonArray ?? [], oldSpec["tolerations"] as JsonArray ?? [], errors);
        ValidateOnlyDeletedSchedulingGates(spec["schedulingGates"] as JsonArray ?? [], oldSpec["schedulingGates"] as JsonArray ?? [], errors);

        var munged = Munged(spec, oldSpec);
        var changed = new List<string>();
        Differences(Normalized(oldSpec), Normalized(munged), "spec", changed);
        if (changed.Count > 0)
        {
            errors.Add(FieldError.Forbidden("spec", $"pod updates may not change fields other than {UpdatableFields}\nchanged: {string.Join(", ", changed)}"));
        }
    }

    private static bool ValidateContainers(JsonArray containers, JsonArray old, string path, FieldErrors errors)
    {
        if (containers.Count != old.Count)
        {
            errors.Add(FieldError.Forbidden(path, "pod updates may not add or remove containers"));
            return false;
        }

        for (var i = 0; i < containers.Count; i++)
        {
            var image = GoValues.Text(containers[i]?["image"]);
            if (image.Length == 0)
            {
                errors.Add(FieldError.Required($"{path}[{i}].image"));
            }
            else if (image.Trim().Length != image.Length)
            {
                errors.Add(FieldError.Invalid($"{path}[{i}].image", image, "must not have leading or trailing whitespace"));
            }
        }

        return true;
    }

    private static void ValidateOnlyAddedTolerations(JsonArray tolerations, JsonArray old, FieldErrors errors)
    {
        static JsonNode? WithoutSeconds(JsonNode? toleration)
        {
            var copy = Normalized(toleration);
            (copy as JsonObject)?.Remove("tolerationSeconds");
            return copy;
        }

        if (old.Any(o => !tolerations.Any(n => JsonNode.DeepEquals(WithoutSeconds(o), WithoutSeconds(n)))))
        {
            errors.Add(FieldError.Forbidden("spec.tolerations", "existing toleration can not be modified except its tolerationSeconds"));
        }
    }

    private static void ValidateOnlyDeletedSchedulingGates(JsonArray gates, JsonArray old, FieldErrors errors)
    {
        var oldNames = old.Select(g => GoValues.Text(g?["name"])).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < gates.Count; i++)
        {
            var name = GoValues.Text(gates[i]?["name"]);
            if (!oldNames.Contains(name))
            {
                errors.Add(FieldError.Forbidden($"spec.schedulingGates[{i}].name", $"only deletion is allowed, but found new scheduling gate '{name}'"));
            }
        }
    }

    /// <summary>The new spec with every field an update may change set back to its old value.</summary>
    private static JsonObject Munged(JsonObject spec, JsonObject oldSpec)
    {
        var munged = (JsonObject)spec.DeepClone();
        foreach (var list in new[] { "containers", "initContainers" })
        {
            if (munged[list] is JsonArray containers && oldSpec[list] is JsonArray old)
            {
                for (var i = 0; i < containers.Count && i < old.Count; i++)
                {
                    if (containers[i] is JsonObject container)
                    {
                        container["image"] = old[i]?["image"]?.DeepClone();
                    }
                }
            }
        }

        var restored = new List<string> { "activeDeadlineSeconds", "schedulingGates", "tolerations" };
        if (GoValues.Long(oldSpec["terminationGracePeriodSeconds"]) < 0 && GoValues.Long(munged["terminationGracePeriodSeconds"]) == 1)
        {
            restored.Add("terminationGracePeriodSeconds");
        }

        if (oldSpec["schedulingGates"] is JsonArray { Count: > 0 })
        {
            // A gated pod may change its nodeSelector and node affinity (upstream allows additions only; not checked here).
            restored.Add("nodeSelector");
            var affinity = munged["affinity"] as JsonObject;
            var oldNodeAffinity = oldSpec["affinity"]?["nodeAffinity"];
            if (affinity is not null)
            {
                affinity["nodeAffinity"] = oldNodeAffinity?.DeepClone();
            }
            else if (oldNodeAffinity is not null)
            {
                munged["affinity"] = new JsonObject { ["nodeAffinity"] = oldNodeAffinity.DeepClone() };
            }
        }

        foreach (var field in restored)
        {
            munged[field] = oldSpec[field]?.DeepClone();
        }

        return munged;
    }

    /// <summary>
    /// A copy without nulls and empty lists or maps, which Go's semantic equality treats as unset (so a client that
    /// sends <c>tolerations: []</c> for none changes nothing).
    /// </summary>
    private static JsonNode? Normalized(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var copy = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    if (Normalized(value) is { } normalized)
                    {
                        copy[key] = normalized;
                    }
                }

                return copy.Count == 0 ? null : copy;
            case JsonArray array:
                return array.Count == 0 ? null : new JsonArray([.. array.Select(item => Normalized(item) ?? new JsonObject())]);
            default:
                return node?.DeepClone();
        }
    }

    /// <summary>The paths at which two normalized specs differ, to objects' fields and lists' items of the same length.</summary>
    private static void Differences(JsonNode? old, JsonNode? updated, string path, List<string> changed)
    {
        if (JsonNode.DeepEquals(old, updated))
        {
            return;
        }

        switch (old, updated)
        {
            case (JsonObject a, JsonObject b):
                foreach (var key in a.Select(p => p.Key).Union(b.Select(p => p.Key), StringComparer.Ordinal).Order(StringComparer.Ordinal))
                {
                    Differences(a[key], b[key], $"{path}.{key}", changed);
                }

                break;
            case (JsonArray a, JsonArray b) when a.Count == b.Count:
                for (var i = 0; i < a.Count; i++)
                {
                    Differences(a[i], b[i], $"{path}[{i}]", changed);
                }

                break;
            default:
                changed.Add(path);
                break;
        }
    }
}
