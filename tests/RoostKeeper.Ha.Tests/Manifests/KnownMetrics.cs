using System.Text.RegularExpressions;

namespace RoostKeeper.Ha.Tests.Manifests;

/// <summary>
/// The metric names queries may use: the library's, as docs/metrics.md lists them (histograms with their
/// _bucket, _sum and _count series), the names planned there for managers not merged yet, the recording
/// rules, and the few series Kubernetes' own exporters provide.
/// </summary>
internal static partial class KnownMetrics
{
    public const string PlannedHeading = "## Further names the rules use";

    /// <summary>kube-state-metrics, cAdvisor (through the kubelet) and Prometheus' own <c>up</c>.</summary>
    public static readonly IReadOnlySet<string> FromKubernetesExporters = new HashSet<string>
    {
        "up",
        "container_memory_working_set_bytes",
        "kube_pod_container_resource_limits",
        "kube_deployment_status_replicas_available",
        "kube_deployment_spec_replicas",
    };

    /// <summary>What the library emits today, from docs/metrics.md's tables above <see cref="PlannedHeading"/>.</summary>
    public static IReadOnlySet<string> Emitted() => Series(Documented(planned: false));

    /// <summary>Names reserved in docs/metrics.md for instruments not emitted yet.</summary>
    public static IReadOnlySet<string> Planned() => Series(Documented(planned: true));

    public static IReadOnlySet<string> RecordingRules() =>
        YamlDocuments.Maps(YamlDocuments.Load(SampleManifests.RulesFile)["groups"])
            .SelectMany(g => YamlDocuments.Maps(g["rules"]))
            .Where(r => r.ContainsKey("record"))
            .Select(r => (string)r["record"]!)
            .ToHashSet();

    public static IReadOnlySet<string> Library() => Emitted().Concat(Planned()).ToHashSet();

    /// <summary>(name, type) of each table row of docs/metrics.md, above or below the planned heading.</summary>
    public static IReadOnlyList<(string Name, string Type)> Documented(bool planned)
    {
        var doc = File.ReadAllText(SampleManifests.MetricsDoc);
        var split = doc.IndexOf(PlannedHeading, StringComparison.Ordinal);
        Assert.True(split >= 0, $"docs/metrics.md has no '{PlannedHeading}' section");
        var part = planned ? doc[split..] : doc[..split];
        return Row().Matches(part).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();
    }

    private static HashSet<string> Series(IEnumerable<(string Name, string Type)> rows) =>
        rows.SelectMany(r => r.Type == "histogram" ? [r.Name, $"{r.Name}_bucket", $"{r.Name}_sum", $"{r.Name}_count"] : new[] { r.Name }).ToHashSet();

    [GeneratedRegex(@"^\| `([a-z_:]+)` \| (counter|gauge|histogram) \|", RegexOptions.Multiline)]
    private static partial Regex Row();
}
