using System.Globalization;
using System.Text;

namespace RoostKeeper.Ha;

/// <summary>
/// Thrown at start-up when <c>AddRoostHa</c> has to find the Kubernetes cluster itself (no <c>IKubernetes</c>
/// is registered) and finds none, or finds a kubeconfig it cannot use. The message says what was looked for
/// and the three ways to fix it.
/// </summary>
public sealed class ClusterConnectionException : InvalidOperationException
{
    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public ClusterConnectionException(string message)
        : base(message)
    {
        Searched = [];
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ClusterConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
        Searched = [];
    }

    private ClusterConnectionException(string message, IReadOnlyList<string> searched, Exception? innerException)
        : base(message, innerException)
    {
        Searched = searched;
    }

    /// <summary>Where the cluster was looked for, in order, each with what was found there.</summary>
    public IReadOnlyList<string> Searched { get; }

    /// <summary>The three ways to give RoostKeeper.Ha a cluster, as the messages list them.</summary>
    internal static string Fixes =>
        "Fix it one of three ways: (1) run in a pod, whose service account is used; " +
        "(2) set KUBECONFIG to a kubeconfig file (or create ~/.kube/config, e.g. with 'kind create cluster'), " +
        "and select a context with 'kubectl config use-context NAME'; " +
        "(3) register your own client before AddRoostHa: services.AddSingleton<IKubernetes>(new Kubernetes(config)).";

    internal static ClusterConnectionException NotFound(IReadOnlyList<string> searched)
    {
        var message = new StringBuilder("RoostKeeper.Ha found no Kubernetes cluster to connect to. Looked for: ");
        message.AppendJoin("; ", searched).Append(". ").Append(Fixes);
        return new ClusterConnectionException(message.ToString(), searched, innerException: null);
    }

    internal static ClusterConnectionException Unusable(string source, string? context, Exception cause)
    {
        var where = context is null ? source : string.Create(CultureInfo.InvariantCulture, $"{source} (context {context})");
        var message = $"RoostKeeper.Ha cannot use the kubeconfig from {where}: {cause.Message} {Fixes}";
        return new ClusterConnectionException(message, [$"{where}: {cause.Message}"], cause);
    }
}
