using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>Pod-template comparisons and copies as the Deployment controller and kubectl make them.</summary>
internal static class PodTemplates
{
    /// <summary>The label the Deployment controller adds to each ReplicaSet's template and selector.</summary>
    public const string HashLabel = "pod-template-hash";

    /// <summary>kubectl's equalIgnoreHash: equal apart from the pod-template-hash label.</summary>
    public static bool EqualIgnoringHash(V1PodTemplateSpec? a, V1PodTemplateSpec? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        return JsonNode.DeepEquals(Canonical(WithoutHash(a)), Canonical(WithoutHash(b)));
    }

    /// <summary>A deep copy of <paramref name="template"/> without the pod-template-hash label (what rollout undo patches back).</summary>
    public static V1PodTemplateSpec WithoutHash(V1PodTemplateSpec template)
    {
        var copy = KubernetesJson.Deserialize<V1PodTemplateSpec>(KubernetesJson.Serialize(template));
        copy.Metadata?.Labels?.Remove(HashLabel);
        return copy;
    }

    /// <summary>The template as JSON with empty objects and arrays dropped, so absent and empty compare equal.</summary>
    private static JsonNode? Canonical(V1PodTemplateSpec template) => Prune(JsonNode.Parse(KubernetesJson.Serialize(template)));

    private static JsonNode? Prune(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var pruned = new JsonObject();
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (Prune(value) is { } kept)
                    {
                        pruned[key] = kept;
                    }
                }

                return pruned.Count == 0 ? null : pruned;
            case JsonArray array:
                var items = new JsonArray();
                foreach (var item in array)
                {
                    items.Add(Prune(item) ?? new JsonObject());
                }

                return items.Count == 0 ? null : items;
            default:
                return node?.DeepClone();
        }
    }
}
