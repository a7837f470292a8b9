using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Testing.Resources;

/// <summary>
/// A resource's <c>scale</c> subresource: where its desired and observed replica counts and its label
/// selector live, as a CustomResourceDefinition declares them (<c>specReplicasPath</c>,
/// <c>statusReplicasPath</c>, <c>labelSelectorPath</c>) and as the built-in workloads have them.
/// </summary>
internal sealed record ScaleSubresource(string SpecReplicasPath, string StatusReplicasPath, string? LabelSelectorPath)
{
    /// <summary>autoscaling/v1 Scale itself: not served on its own, but printed as a table (Desired, Available).</summary>
    public static ResourceType Kind { get; } = new("autoscaling", "v1", "scale", "Scale", Namespaced: true, HasStatusSubresource: false);

    /// <summary>Deployments, ReplicaSets, StatefulSets and ReplicationControllers.</summary>
    public static ScaleSubresource Workload { get; } = new(".spec.replicas", ".status.replicas", ".spec.selector");

    /// <summary>The declaration in a CRD version's <c>subresources.scale</c>, or null when it has none.</summary>
    public static ScaleSubresource? FromDefinition(JsonNode? scale) =>
        scale is JsonObject declared && JsonFields.String(declared["specReplicasPath"]) is { } spec && JsonFields.String(declared["statusReplicasPath"]) is { } status
            ? new ScaleSubresource(spec, status, JsonFields.String(declared["labelSelectorPath"]))
            : null;

    /// <summary>The <c>autoscaling/v1</c> Scale of <paramref name="obj"/>.</summary>
    public JsonObject ToScale(JsonObject obj)
    {
        var source = ObjectMeta.Of(obj);
        var metadata = new JsonObject();
        foreach (var field in new[] { "name", "namespace", "uid", "resourceVersion", "creationTimestamp" })
        {
            if (source[field] is { } value)
            {
                metadata[field] = value.DeepClone();
            }
        }

        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject { ["replicas"] = JsonFields.Long(At(obj, SpecReplicasPath)) ?? 0 },
            ["status"] = new JsonObject { ["replicas"] = JsonFields.Long(At(obj, StatusReplicasPath)) ?? 0, ["selector"] = Selector(obj) },
        };
    }

    /// <summary>The merge patch that sets the desired replica count at <see cref="SpecReplicasPath"/>.</summary>
    public JsonObject ReplicasPatch(long replicas, string? resourceVersion)
    {
        JsonNode leaf = JsonValue.Create(replicas);
        var segments = Segments(SpecReplicasPath);
        for (var i = segments.Length - 1; i >= 0; i--)
        {
            leaf = new JsonObject { [segments[i]] = leaf };
        }

        var patch = (JsonObject)leaf;
        if (!string.IsNullOrEmpty(resourceVersion))
        {
            patch["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion };
        }

        return patch;
    }

    private string Selector(JsonObject obj) => At(obj, LabelSelectorPath ?? "") switch
    {
        JsonValue text when JsonFields.String(text) is { } selector => selector,
        JsonObject selector when selector.ContainsKey("matchLabels") || selector.ContainsKey("matchExpressions") => LabelSelector.Format(selector),
        JsonObject labels => string.Join(',', labels.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={JsonFields.String(p.Value)}")),
        _ => "",
    };

    private static JsonNode? At(JsonObject obj, string path)
    {
        JsonNode? node = obj;
        foreach (var segment in Segments(path))
        {
            node = (node as JsonObject)?[segment];
        }

        return path.Length == 0 ? null : node;
    }

    private static string[] Segments(string path) => path.TrimStart('.').Split('.', StringSplitOptions.RemoveEmptyEntries);
}
