using k8s;
using k8s.Models;

namespace RoostKeeper.Ha.TestUtilities;

/// <summary>
/// A Prometheus Operator object (ServiceMonitor, PrometheusRule) as KubernetesClient reads it without a typed
/// model: apiVersion, kind, typed metadata, and the spec as YAML's own maps, lists and strings.
/// </summary>
public sealed class MonitoringObject : IKubernetesObject<V1ObjectMeta>
{
    public string ApiVersion { get; set; } = "";

    public string Kind { get; set; } = "";

    public V1ObjectMeta Metadata { get; set; } = new();

    public Dictionary<object, object?>? Spec { get; set; }
}
