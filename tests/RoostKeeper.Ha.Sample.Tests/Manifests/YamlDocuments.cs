using System.Text.Json;
using YamlDotNet.Serialization;

namespace RoostKeeper.Ha.Sample.Tests.Manifests;

/// <summary>Plain YAML files (rules, rule tests) as maps, lists and strings, and as canonical JSON for comparing.</summary>
internal static class YamlDocuments
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder().Build();

    public static Dictionary<object, object?> Load(string path) => Deserializer.Deserialize<Dictionary<object, object?>>(File.ReadAllText(path));

    /// <summary>One JSON text for equal YAML values, whatever the indentation, quoting or comments.</summary>
    public static string Canonical(object? value) => JsonSerializer.Serialize(Normalize(value));

    public static IEnumerable<Dictionary<object, object?>> Maps(object? list) => ((List<object?>)list!).Cast<Dictionary<object, object?>>();

    private static object? Normalize(object? value) => value switch
    {
        Dictionary<object, object?> map => new SortedDictionary<string, object?>(map.ToDictionary(e => (string)e.Key, e => Normalize(e.Value)), StringComparer.Ordinal),
        List<object?> list => list.Select(Normalize).ToList(),
        _ => value,
    };
}
