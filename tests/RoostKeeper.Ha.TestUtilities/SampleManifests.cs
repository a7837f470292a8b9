using k8s;
using k8s.Models;

namespace RoostKeeper.Ha.TestUtilities;

/// <summary>The sample's config/ha folder: where its files are, and its manifests as KubernetesClient's typed objects.</summary>
public static class SampleManifests
{
    private static readonly Dictionary<string, Type> MonitoringTypes = new()
    {
        ["monitoring.coreos.com/v1/ServiceMonitor"] = typeof(MonitoringObject),
        ["monitoring.coreos.com/v1/PrometheusRule"] = typeof(MonitoringObject),
    };

    public static string Folder => Path.Combine(RepositoryRoot.Path, "samples", "RoostKeeper.Ha.Sample", "config", "ha");

    public static string RulesFile => Path.Combine(Folder, "prometheus", "roost-keeper.rules.yml");

    public static string RulesTestFile => Path.Combine(Folder, "prometheus", "roost-keeper.rules.test.yml");

    public static string DashboardFile => Path.Combine(Folder, "grafana", "roost-keeper-dashboard.json");

    public static string MetricsDoc => Path.Combine(RepositoryRoot.Path, "docs", "metrics.md");

    public static string OperationsDoc => Path.Combine(RepositoryRoot.Path, "docs", "operations.md");

    /// <summary>The manifests the kustomization lists, in its order.</summary>
    public static IReadOnlyList<string> KustomizationResources()
    {
        var kustomization = KubernetesYaml.Deserialize<Dictionary<string, object>>(File.ReadAllText(Path.Combine(Folder, "kustomization.yaml")));
        return ((List<object>)kustomization["resources"]).Select(r => (string)r).ToList();
    }

    /// <summary>Every object of every manifest the kustomization lists; unknown kinds fail the parse.</summary>
    public static IReadOnlyList<object> All() =>
        KustomizationResources().SelectMany(file => Parse(File.ReadAllText(Path.Combine(Folder, file)))).ToList();

    public static IReadOnlyList<object> Parse(string yaml) => KubernetesYaml.LoadAllFromString(yaml, MonitoringTypes, strict: true);

    public static T Single<T>()
        where T : IKubernetesObject<V1ObjectMeta> => Assert.Single(All().OfType<T>());

    public static MonitoringObject Monitoring(string kind) => Assert.Single(All().OfType<MonitoringObject>(), o => o.Kind == kind);
}
