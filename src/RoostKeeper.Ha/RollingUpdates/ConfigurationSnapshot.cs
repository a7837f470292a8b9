using k8s;
using k8s.Models;
using RoostKeeper.Ha.KubernetesApi;

namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>
/// The ConfigMaps and Secrets a pod template references (volumes, projected volumes, env and envFrom of every
/// container), as they were before an update, so a rollback can put them back with the template: kubectl's undo
/// restores only the template and leaves a broken configuration in place. Held in memory for the update only.
/// Objects that did not exist at the snapshot are left alone on restore (the update may have created them for the new
/// template; deleting them is the caller's call).
/// </summary>
internal sealed class ConfigurationSnapshot
{
    private readonly List<V1ConfigMap> _configMaps;
    private readonly List<V1Secret> _secrets;

    private ConfigurationSnapshot(List<V1ConfigMap> configMaps, List<V1Secret> secrets)
    {
        _configMaps = configMaps;
        _secrets = secrets;
    }

    public int Count => _configMaps.Count + _secrets.Count;

    /// <summary>The names of the ConfigMaps and Secrets <paramref name="template"/> refers to.</summary>
    public static (SortedSet<string> ConfigMaps, SortedSet<string> Secrets) References(V1PodTemplateSpec template)
    {
        var configMaps = new SortedSet<string>(StringComparer.Ordinal);
        var secrets = new SortedSet<string>(StringComparer.Ordinal);
        var spec = template.Spec;
        foreach (var volume in spec?.Volumes ?? [])
        {
            Add(configMaps, volume.ConfigMap?.Name);
            Add(secrets, volume.Secret?.SecretName);
            foreach (var source in volume.Projected?.Sources ?? [])
            {
                Add(configMaps, source.ConfigMap?.Name);
                Add(secrets, source.Secret?.Name);
            }
        }

        foreach (var container in (spec?.InitContainers ?? []).Concat(spec?.Containers ?? []))
        {
            foreach (var env in container.Env ?? [])
            {
                Add(configMaps, env.ValueFrom?.ConfigMapKeyRef?.Name);
                Add(secrets, env.ValueFrom?.SecretKeyRef?.Name);
            }

            foreach (var from in container.EnvFrom ?? [])
            {
                Add(configMaps, from.ConfigMapRef?.Name);
                Add(secrets, from.SecretRef?.Name);
            }
        }

        return (configMaps, secrets);

        static void Add(SortedSet<string> set, string? name)
        {
            if (!string.IsNullOrEmpty(name))
            {
                set.Add(name);
            }
        }
    }

    public static async Task<ConfigurationSnapshot> TakeAsync(RolloutApi api, string ns, V1PodTemplateSpec template, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var (configMapNames, secretNames) = References(template);
        var configMaps = new List<V1ConfigMap>();
        foreach (var name in configMapNames)
        {
            try
            {
                configMaps.Add(await api.CallAsync($"read configmap {name}", ct => api.Kubernetes.CoreV1.ReadNamespacedConfigMapAsync(name, ns, cancellationToken: ct), deadline, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception e) when (KubernetesApiErrors.Classify(e) == ApiErrorKind.NotFound && !cancellationToken.IsCancellationRequested)
            {
                // An optional reference to a ConfigMap that does not exist: nothing to restore.
            }
        }

        var secrets = new List<V1Secret>();
        foreach (var name in secretNames)
        {
            try
            {
                secrets.Add(await api.CallAsync($"read secret {name}", ct => api.Kubernetes.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: ct), deadline, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception e) when (KubernetesApiErrors.Classify(e) == ApiErrorKind.NotFound && !cancellationToken.IsCancellationRequested)
            {
                // As for ConfigMaps.
            }
        }

        return new ConfigurationSnapshot(configMaps, secrets);
    }

    /// <summary>Writes back every snapshotted object whose content changed (or that was deleted); returns what it restored.</summary>
    public async Task<IReadOnlyList<string>> RestoreAsync(RolloutApi api, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var restored = new List<string>();
        foreach (var saved in _configMaps)
        {
            if (await RestoreOneAsync(
                    api, saved.Metadata, "configmap",
                    ct => api.Kubernetes.CoreV1.ReadNamespacedConfigMapAsync(saved.Metadata.Name, saved.Metadata.NamespaceProperty, cancellationToken: ct),
                    current => SameData(current.Data, saved.Data) && SameBinary(current.BinaryData, saved.BinaryData),
                    (current, ct) =>
                    {
                        current.Data = saved.Data;
                        current.BinaryData = saved.BinaryData;
                        return api.Kubernetes.CoreV1.ReplaceNamespacedConfigMapAsync(current, current.Metadata.Name, current.Metadata.NamespaceProperty, cancellationToken: ct);
                    },
                    ct => api.Kubernetes.CoreV1.CreateNamespacedConfigMapAsync(
                        new V1ConfigMap { Metadata = Fresh(saved.Metadata), Data = saved.Data, BinaryData = saved.BinaryData, Immutable = saved.Immutable },
                        saved.Metadata.NamespaceProperty, cancellationToken: ct),
                    deadline, cancellationToken).ConfigureAwait(false))
            {
                restored.Add($"ConfigMap {saved.Metadata.Name}");
            }
        }

        foreach (var saved in _secrets)
        {
            if (await RestoreOneAsync(
                    api, saved.Metadata, "secret",
                    ct => api.Kubernetes.CoreV1.ReadNamespacedSecretAsync(saved.Metadata.Name, saved.Metadata.NamespaceProperty, cancellationToken: ct),
                    current => SameBinary(current.Data, saved.Data),
                    (current, ct) =>
                    {
                        current.Data = saved.Data;
                        current.StringData = null;
                        return api.Kubernetes.CoreV1.ReplaceNamespacedSecretAsync(current, current.Metadata.Name, current.Metadata.NamespaceProperty, cancellationToken: ct);
                    },
                    ct => api.Kubernetes.CoreV1.CreateNamespacedSecretAsync(
                        new V1Secret { Metadata = Fresh(saved.Metadata), Data = saved.Data, Type = saved.Type, Immutable = saved.Immutable },
                        saved.Metadata.NamespaceProperty, cancellationToken: ct),
                    deadline, cancellationToken).ConfigureAwait(false))
            {
                restored.Add($"Secret {saved.Metadata.Name}");
            }
        }

        return restored;
    }

    private static async Task<bool> RestoreOneAsync<T>(
        RolloutApi api, V1ObjectMeta saved, string kind, Func<CancellationToken, Task<T>> read, Func<T, bool> unchanged,
        Func<T, CancellationToken, Task<T>> replace, Func<CancellationToken, Task<T>> create, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        // Re-read and retry on 409: someone (a GitOps sync, the caller's BeforeUpdate still running) wrote in between.
        for (var attempt = 0; ; attempt++)
        {
            T current;
            try
            {
                current = await api.CallAsync($"read {kind} {saved.Name}", read, deadline, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (KubernetesApiErrors.Classify(e) == ApiErrorKind.NotFound && !cancellationToken.IsCancellationRequested)
            {
                await api.CallAsync($"recreate {kind} {saved.Name}", create, deadline, cancellationToken).ConfigureAwait(false);
                return true;
            }

            if (unchanged(current))
            {
                return false;
            }

            try
            {
                await api.CallAsync($"restore {kind} {saved.Name}", ct => replace(current, ct), deadline, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (Exception e) when (KubernetesApiErrors.Classify(e) is ApiErrorKind.Conflict or ApiErrorKind.NotFound && attempt < 5)
            {
                // Lost a write race: read again.
            }
        }
    }

    private static V1ObjectMeta Fresh(V1ObjectMeta saved) => new()
    {
        Name = saved.Name,
        NamespaceProperty = saved.NamespaceProperty,
        Labels = saved.Labels,
        Annotations = saved.Annotations,
    };

    private static bool SameData(IDictionary<string, string>? a, IDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a ?? new Dictionary<string, string>()).All(p => b!.TryGetValue(p.Key, out var v) && v == p.Value);

    private static bool SameBinary(IDictionary<string, byte[]>? a, IDictionary<string, byte[]>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a ?? new Dictionary<string, byte[]>()).All(p => b!.TryGetValue(p.Key, out var v) && v.AsSpan().SequenceEqual(p.Value));
}
