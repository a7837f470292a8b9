using System.Diagnostics.Metrics;
using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha;
using RoostKeeper.Ha.DependencyInjection;
using RoostKeeper.Ha.Diagnostics;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Health;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers RoostKeeper.Ha in a service collection.</summary>
public static class RoostHaServiceCollectionExtensions
{
    /// <summary>
    /// Adds leader election (<see cref="HaManager"/>, run as a hosted service). Options bind from the
    /// <c>RoostHa</c> configuration section when an <see cref="IConfiguration"/> is registered, then
    /// <paramref name="configure"/> applies; they are validated at start-up. The <see cref="IKubernetes"/>
    /// already registered is used; when there is none, the cluster is found as kubectl finds it: the pod's
    /// service account, else <c>$KUBECONFIG</c> (a list of files, merged), else <c>~/.kube/config</c>. The one
    /// used is logged (server, context, namespace), and outside a pod its context's namespace is the default
    /// of <see cref="LeaderElectionOptions.LeaseNamespace"/>. Finding none fails start-up with a
    /// <see cref="ClusterConnectionException"/> that says what was looked for and how to fix it.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets options in code (after configuration binding).</param>
    /// <returns>A builder for callbacks and leader-only services.</returns>
    public static IRoostHaBuilder AddRoostHa(this IServiceCollection services, Action<LeaderElectionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddLeaderElectionCore(configure, sp => sp.GetRequiredService<LocatedCluster>().Namespace);

        // Without an IKubernetes of the application's: the cluster kubectl would use (in-cluster, $KUBECONFIG,
        // ~/.kube/config), located on first use so that an options error is reported before a missing cluster.
        var ownClient = ServiceDescriptor.Singleton<IKubernetes>(sp => sp.GetRequiredService<LocatedCluster>().CreateClient());
        services.TryAdd(ownClient);
        services.TryAddSingleton(_ => ClusterLocator.FromEnvironment());
        services.TryAddSingleton(sp => new LocatedCluster(sp.GetRequiredService<ClusterLocator>(), services, ownClient, sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton(sp => new ReconcileRecorder(sp.GetService<IMeterFactory>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp =>
        {
            // Options first: an invalid option is the clearer error, and it names what to change.
            var resolved = sp.GetRequiredService<IOptions<LeaderElectionOptions>>().Value;
            var manager = new HaManager(
                sp.GetRequiredService<IKubernetes>(),
                resolved,
                sp.GetService<ILoggerFactory>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ElectionMetrics>(),
                health: () => sp.GetService<HealthManager>());
            ElectionServiceCollectionExtensions.AttachRegisteredCallbacks(sp, manager.Callbacks);
            return manager;
        });

        // Health, step-down and the leader-only services see the election through its own abstraction, never HaManager.
        services.TryAddSingleton(sp => sp.GetRequiredService<HaManager>().Elector);
        services.TryAddSingleton<ILeaderElector>(sp => sp.GetRequiredService<LeaseElector>());
        return new RoostHaBuilder(services);
    }
}
