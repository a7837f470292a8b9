using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Recovery.Restore;

/// <summary>
/// The paths where two objects differ ("spec.size changed", "metadata.labels.tier added"). Values are not
/// shown, so a diff of a Secret never reveals its data. ownerReferences are not compared (uids differ by nature).
/// </summary>
internal static class ObjectDiff
{
    public const int MaxDifferences = 50;

    public static IReadOnlyList<string> Compare(JsonObject backup, JsonObject live)
    {
        var differences = new List<string>();
        Walk(backup, live, "", differences);
        return differences;
    }

    private static void Walk(JsonNode? backup, JsonNode? live, string path, List<string> differences)
    {
        if (differences.Count >= MaxDifferences)
        {
            return;
        }

        if (path == "metadata.ownerReferences")
        {
            return;
        }

        if (backup is JsonObject b && live is JsonObject l)
        {
            foreach (var (key, value) in b)
            {
                var child = path.Length == 0 ? key : $"{path}.{key}";
                if (!l.TryGetPropertyValue(key, out var other))
                {
                    if (child != "metadata.ownerReferences")
                    {
                        differences.Add($"{child} missing from the cluster");
                    }
                }
                else
                {
                    Walk(value, other, child, differences);
                }
            }

            foreach (var (key, _) in l)
            {
                var child = path.Length == 0 ? key : $"{path}.{key}";
                if (!b.ContainsKey(key) && child != "metadata.ownerReferences")
                {
                    differences.Add($"{child} only in the cluster");
                }
            }

            return;
        }

        if (!JsonNode.DeepEquals(backup, live))
        {
            differences.Add($"{(path.Length == 0 ? "(object)" : path)} differs");
        }
    }
}
