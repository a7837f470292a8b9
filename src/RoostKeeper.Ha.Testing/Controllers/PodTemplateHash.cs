using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Testing.Controllers;

/// <summary>
/// The pod-template-hash label: a hash of a pod template (plus the collision count), encoded like
/// Kubernetes' <c>rand.SafeEncodeString</c>, and the template comparison that ignores that label.
/// </summary>
internal static class PodTemplateHash
{
    public const string Label = "pod-template-hash";
    private const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";

    public static string Compute(JsonObject? template, long collisionCount)
    {
        var canonical = Canonical(WithoutHashLabel(template)) + "#" + collisionCount.ToString(CultureInfo.InvariantCulture);
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(canonical))
        {
            hash = unchecked((hash ^ b) * 16777619u);
        }

        var digits = hash.ToString(CultureInfo.InvariantCulture);
        return string.Create(digits.Length, digits, (span, d) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Alphabet[d[i] % Alphabet.Length];
            }
        });
    }

    /// <summary>Whether two templates are the same apart from pod-template-hash (and nulls or empty fields).</summary>
    public static bool EqualIgnoringHash(JsonObject? a, JsonObject? b) =>
        Canonical(WithoutHashLabel(a)) == Canonical(WithoutHashLabel(b));

    private static JsonObject WithoutHashLabel(JsonObject? template)
    {
        var copy = template?.DeepClone() as JsonObject ?? [];
        if (copy["metadata"]?["labels"] is JsonObject labels)
        {
            labels.Remove(Label);
        }

        return copy;
    }

    /// <summary>Sorted keys, no nulls, no empty objects or arrays: two clients' spellings of one template agree.</summary>
    private static string Canonical(JsonNode? node)
    {
        var builder = new StringBuilder();
        Write(node, builder);
        return builder.ToString();

        static bool IsEmpty(JsonNode? n) => n is null || n is JsonObject { Count: 0 } || n is JsonArray { Count: 0 }
            || (n is JsonObject o && o.All(p => IsEmpty(p.Value)));

        static void Write(JsonNode? n, StringBuilder sb)
        {
            switch (n)
            {
                case JsonObject o:
                    sb.Append('{');
                    foreach (var (key, value) in o.Where(p => !IsEmpty(p.Value)).OrderBy(p => p.Key, StringComparer.Ordinal))
                    {
                        sb.Append(System.Text.Json.JsonSerializer.Serialize(key)).Append(':');
                        Write(value, sb);
                        sb.Append(',');
                    }

                    sb.Append('}');
                    break;
                case JsonArray a:
                    sb.Append('[');
                    foreach (var item in a)
                    {
                        Write(item, sb);
                        sb.Append(',');
                    }

                    sb.Append(']');
                    break;
                default:
                    sb.Append(n?.ToJsonString() ?? "null");
                    break;
            }
        }
    }
}
