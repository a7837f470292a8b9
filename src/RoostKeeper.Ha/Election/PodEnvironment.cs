using Microsoft.Extensions.Options;

namespace RoostKeeper.Ha.Election;

/// <summary>
/// Where the defaults of <see cref="LeaderElectionOptions"/> come from when running in a pod: the downward-API
/// variables and the service-account namespace file. A seam so tests can pretend to be in a pod.
/// </summary>
internal sealed class PodEnvironment : IPostConfigureOptions<LeaderElectionOptions>
{
    public const string ServiceAccountNamespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

    private readonly Func<string, string?> _variable;
    private readonly Func<string?> _serviceAccountNamespace;
    private readonly Func<string> _hostName;
    private readonly Func<string?> _kubeconfigNamespace;

    public PodEnvironment()
        : this(Environment.GetEnvironmentVariable, ReadServiceAccountNamespace, () => Environment.MachineName)
    {
    }

    /// <summary>The process's environment, with the namespace of the kubeconfig context AddRoostHa connects with.</summary>
    public PodEnvironment(Func<string?> kubeconfigNamespace)
        : this(Environment.GetEnvironmentVariable, ReadServiceAccountNamespace, () => Environment.MachineName, kubeconfigNamespace)
    {
    }

    public PodEnvironment(Func<string, string?> variable, Func<string?> serviceAccountNamespace, Func<string> hostName, Func<string?>? kubeconfigNamespace = null)
    {
        _variable = variable;
        _serviceAccountNamespace = serviceAccountNamespace;
        _hostName = hostName;
        _kubeconfigNamespace = kubeconfigNamespace ?? (static () => null);
    }

    public void PostConfigure(string? name, LeaderElectionOptions options) => ApplyDefaults(options);

    /// <summary>Fills LeaseNamespace and Identity when they were not set.</summary>
    public void ApplyDefaults(LeaderElectionOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.LeaseNamespace))
        {
            // The pod's namespace; outside a pod, the namespace of the kubeconfig context in use (as kubectl).
            options.LeaseNamespace = _serviceAccountNamespace() is { Length: > 0 } fromFile ? fromFile
                : _variable("POD_NAMESPACE") is { Length: > 0 } fromVariable ? fromVariable
                : _kubeconfigNamespace();
        }

        if (string.IsNullOrWhiteSpace(options.Identity))
        {
            var baseName = _variable("POD_NAME") is { Length: > 0 } pod ? pod : _hostName();
            options.Identity = $"{baseName}_{Guid.NewGuid().ToString("N")[..8]}";
        }
    }

    private static string? ReadServiceAccountNamespace()
    {
        try
        {
            return File.Exists(ServiceAccountNamespaceFile) ? File.ReadAllText(ServiceAccountNamespaceFile).Trim() : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
