using k8s;

namespace RoostKeeper.Ha.DependencyInjection;

/// <summary>The cluster found by <see cref="ClusterLocator"/>: its client configuration and, for the log, where it came from.</summary>
internal sealed record ClusterConnection(KubernetesClientConfiguration Configuration, string Source, string? Context, string Server, string? Namespace);
