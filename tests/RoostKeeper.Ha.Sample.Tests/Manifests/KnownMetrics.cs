namespace RoostKeeper.Ha.Sample.Tests.Manifests;

/// <summary>
/// The metric names queries may use: the library's, as docs/metrics.md lists them (each row names its
/// <c>HaInstruments</c> constant, and RoostKeeper.Ha.Tests' Diagnostics/MetricsDocTests keeps the rows equal to what the instruments
/// record; histograms with their _bucket, _sum and _count series), the recording rules, and the few series
/// Kubernetes' own exporters provide.
/// </summary>
internal static class KnownMetrics
{
    /// <summary>kube-state-metrics, cAdvisor (through the kubelet) and Prometheus' own <c>up</c>.</summary>
    public static readonly IReadOnlySet<string> FromKubernetesExporters = new HashSet<string>
    {
        "up",
        "container_memory_working_set_bytes",
        "kube_pod_container_resource_limits",
        "kube_deployment_status_replicas_available",
        "kube_deployment_spec_replicas",
    };

    /// <summary>What the library emits, from docs/metrics.md's tables.</summary>
    public static IReadOnlySet<string> Emitted() => MetricsDoc.Series();

    public static IReadOnlySet<string> RecordingRules() =>
        YamlDocuments.Maps(YamlDocuments.Load(SampleManifests.RulesFile)["groups"])
            .SelectMany(g => YamlDocuments.Maps(g["rules"]))
            .Where(r => r.ContainsKey("record"))
            .Select(r => (string)r["record"]!)
            .ToHashSet();
}
