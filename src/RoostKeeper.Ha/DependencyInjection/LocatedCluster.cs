using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RoostKeeper.Ha;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.KubernetesApi;

namespace RoostKeeper.Ha.DependencyInjection;

/// <summary>
/// The cluster <c>AddRoostHa</c> found for itself, used only when the <see cref="IKubernetes"/> the container
/// resolves is the one <c>AddRoostHa</c> registered (an application's own client always wins). Located once,
/// on first use; a failure is remembered and thrown again to every caller.
/// </summary>
internal sealed class LocatedCluster
{
    private readonly Lazy<ClusterConnection> _connection;
    private readonly Lazy<bool> _inUse;
    private readonly ILoggerFactory _loggers;

    public LocatedCluster(ClusterLocator locator, IServiceCollection services, ServiceDescriptor ownClient, ILoggerFactory? loggers)
    {
        _connection = new Lazy<ClusterConnection>(locator.Locate, LazyThreadSafetyMode.ExecutionAndPublication);

        // The last registration of IKubernetes is the one resolved: ours only if nobody registered another.
        _inUse = new Lazy<bool>(() => ReferenceEquals(services.LastOrDefault(d => d.ServiceType == typeof(IKubernetes) && !d.IsKeyedService), ownClient));
        _loggers = loggers ?? NullLoggerFactory.Instance;
    }

    /// <summary>The namespace of the kubeconfig context, when this cluster is the one used and it has one; never throws.</summary>
    public string? Namespace
    {
        get
        {
            if (!_inUse.Value)
            {
                return null;
            }

            try
            {
                return _connection.Value.Namespace is { Length: > 0 } ns ? ns : null;
            }
            catch (ClusterConnectionException)
            {
                // Reported when the client is created, after the options have had their say.
                return null;
            }
        }
    }

    /// <summary>The client for the located cluster, logging (once per container) which cluster it is.</summary>
    public IKubernetes CreateClient()
    {
        var connection = _connection.Value;
        ElectionLog.ClusterFound(_loggers.CreateLogger(ElectionLog.Category), WithoutUserInfo(connection.Server), connection.Source, connection.Context ?? "(none)", connection.Namespace ?? "(none)");
        return new Kubernetes(connection.Configuration);
    }

    /// <summary>A server URL may carry credentials (https://user:password@host); those never reach a log.</summary>
    private static string WithoutUserInfo(string server) =>
        Uri.TryCreate(server, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0
            ? new UriBuilder(uri) { UserName = "", Password = "" }.Uri.ToString()
            : server;
}
