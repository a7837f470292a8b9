using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;

namespace RoostKeeper.Ha.DependencyInjection;

/// <summary>
/// Finds the cluster to talk to when the application registered no <see cref="IKubernetes"/>: in a pod, the
/// service account; else <c>$KUBECONFIG</c> with kubectl's list semantics (files separated by the path
/// separator, missing ones skipped, merged so the first file to set a value wins, <c>~/.kube/config</c> not
/// read); else <c>~/.kube/config</c>. Unlike KubernetesClient's <c>BuildDefaultConfig</c> it never falls back
/// to <c>http://localhost:8080</c>: finding nothing is a start-up failure that says what was looked for.
/// </summary>
internal sealed class ClusterLocator
{
    public const string KubeconfigVariable = "KUBECONFIG";

    private readonly Func<string, string?> _variable;
    private readonly Func<bool> _isInCluster;
    private readonly Func<KubernetesClientConfiguration> _inCluster;
    private readonly string? _home;

    public ClusterLocator(Func<string, string?> variable, Func<bool> isInCluster, Func<KubernetesClientConfiguration> inCluster, string? home)
    {
        _variable = variable;
        _isInCluster = isInCluster;
        _inCluster = inCluster;
        _home = home;
    }

    /// <summary>The process's own environment.</summary>
    public static ClusterLocator FromEnvironment() => new(
        Environment.GetEnvironmentVariable,
        KubernetesClientConfiguration.IsInCluster,
        KubernetesClientConfiguration.InClusterConfig,
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) is { Length: > 0 } home ? home : Environment.GetEnvironmentVariable("HOME"));

    /// <summary>The default kubeconfig path, or null when there is no home directory.</summary>
    public string? DefaultKubeconfig => _home is null ? null : Path.Combine(_home, ".kube", "config");

    /// <summary>Resolves the cluster or throws a <see cref="ClusterConnectionException"/> that says what was looked for and how to fix it.</summary>
    public ClusterConnection Locate()
    {
        var searched = new List<string>();
        if (_isInCluster())
        {
            var config = _inCluster();
            return new ClusterConnection(config, "in-cluster service account", null, config.Host ?? "", config.Namespace);
        }

        searched.Add("in-cluster service account: not running in a pod (KUBERNETES_SERVICE_HOST or the service-account token is missing)");
        if (_variable(KubeconfigVariable) is { } list && list.Trim().Length > 0)
        {
            var files = list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(f => f.Trim('"'))
                .Where(f => f.Length > 0)
                .ToList();
            var existing = files.Where(File.Exists).ToList();
            if (existing.Count > 0)
            {
                return FromFiles(existing, $"KUBECONFIG={list}");
            }

            // kubectl does not fall back to ~/.kube/config when KUBECONFIG is set: neither do we.
            searched.Add($"KUBECONFIG={list}: {(files.Count == 1 ? "the file does not exist" : "none of its files exist")}");
            throw ClusterConnectionException.NotFound(searched);
        }

        searched.Add("KUBECONFIG: not set");
        if (DefaultKubeconfig is { } path && File.Exists(path))
        {
            return FromFiles([path], path);
        }

        searched.Add($"{DefaultKubeconfig ?? "~/.kube/config"}: does not exist");
        throw ClusterConnectionException.NotFound(searched);
    }

    private static ClusterConnection FromFiles(IReadOnlyList<string> files, string source)
    {
        K8SConfiguration merged;
        try
        {
            merged = Merge(files.Select(f => KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(f))).ToList());
        }
        catch (Exception e)
        {
            // Unreadable or not a kubeconfig (KubeConfigException, IOException, a YAML error...): say which file.
            throw ClusterConnectionException.Unusable(source, null, e);
        }

        if (string.IsNullOrEmpty(merged.CurrentContext))
        {
            throw ClusterConnectionException.Unusable(source, null, new KubeConfigException("no current-context is set (kubectl config use-context NAME sets one)"));
        }

        try
        {
            var config = KubernetesClientConfiguration.BuildConfigFromConfigObject(merged);
            return new ClusterConnection(config, source, config.CurrentContext, config.Host ?? "", config.Namespace);
        }
        catch (Exception e)
        {
            throw ClusterConnectionException.Unusable(source, merged.CurrentContext, e);
        }
    }

    /// <summary>
    /// kubectl's merge: the first file to set current-context wins, and of clusters, users and contexts with
    /// the same name the first one wins. Relative certificate paths are made absolute against their own file
    /// first, since after merging only one file name is left to resolve them against.
    /// </summary>
    private static K8SConfiguration Merge(IReadOnlyList<K8SConfiguration> configs)
    {
        foreach (var config in configs)
        {
            Absolutize(config);
        }

        var first = configs[0];
        var clusters = new Dictionary<string, Cluster>(StringComparer.Ordinal);
        var users = new Dictionary<string, User>(StringComparer.Ordinal);
        var contexts = new Dictionary<string, Context>(StringComparer.Ordinal);
        string? current = null;
        foreach (var config in configs)
        {
            current ??= string.IsNullOrEmpty(config.CurrentContext) ? null : config.CurrentContext;
            foreach (var cluster in config.Clusters ?? [])
            {
                clusters.TryAdd(cluster.Name, cluster);
            }

            foreach (var user in config.Users ?? [])
            {
                users.TryAdd(user.Name, user);
            }

            foreach (var context in config.Contexts ?? [])
            {
                contexts.TryAdd(context.Name, context);
            }
        }

        first.CurrentContext = current;
        first.Clusters = clusters.Values.ToList();
        first.Users = users.Values.ToList();
        first.Contexts = contexts.Values.ToList();
        return first;
    }

    private static void Absolutize(K8SConfiguration config)
    {
        if (Path.GetDirectoryName(config.FileName) is not { Length: > 0 } directory)
        {
            return;
        }

        string? Full(string? path) => string.IsNullOrEmpty(path) || Path.IsPathRooted(path) ? path : Path.Combine(directory, path);
        foreach (var cluster in config.Clusters ?? [])
        {
            if (cluster.ClusterEndpoint is { } endpoint)
            {
                endpoint.CertificateAuthority = Full(endpoint.CertificateAuthority);
            }
        }

        foreach (var user in config.Users ?? [])
        {
            if (user.UserCredentials is { } credentials)
            {
                credentials.ClientCertificate = Full(credentials.ClientCertificate);
                credentials.ClientKey = Full(credentials.ClientKey);
            }
        }
    }
}
