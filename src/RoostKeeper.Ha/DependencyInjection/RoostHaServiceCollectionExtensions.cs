using System.Diagnostics.Metrics;
using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha;
using RoostKeeper.Ha.Diagnostics;
using RoostKeeper.Ha.KubernetesApi;

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
        var options = services.AddOptions<LeaderElectionOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<LeaderElectionOptions>, RoostHaConfigurationBinder>());
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<LeaderElectionOptions>, PodEnvironment>(
            sp => new PodEnvironment(() => sp.GetRequiredService<LocatedCluster>().Namespace)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LeaderElectionOptions>, LeaderElectionOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LeaderElectionOptions>, DurationValidator<LeaderElectionOptions>>(
            sp => new DurationValidator<LeaderElectionOptions>(sp, LeaderElectionOptions.SectionName)));

        services.TryAddSingleton(TimeProvider.System);

        // Without an IKubernetes of the application's: the cluster kubectl would use (in-cluster, $KUBECONFIG,
        // ~/.kube/config), located on first use so that an options error is reported before a missing cluster.
        var ownClient = ServiceDescriptor.Singleton<IKubernetes>(sp => sp.GetRequiredService<LocatedCluster>().CreateClient());
        services.TryAdd(ownClient);
        services.TryAddSingleton(_ => ClusterLocator.FromEnvironment());
        services.TryAddSingleton(sp => new LocatedCluster(sp.GetRequiredService<ClusterLocator>(), services, ownClient, sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton(sp => new HaMetrics(sp.GetService<IMeterFactory>()));
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
                sp.GetRequiredService<HaMetrics>());
            foreach (var registration in sp.GetServices<LeadershipCallbackRegistration>())
            {
                if (registration.Started is { } started)
                {
                    manager.OnStartedLeading(started);
                }

                if (registration.Stopped is { } stopped)
                {
                    manager.OnStoppedLeading(stopped);
                }

                if (registration.NewLeader is { } newLeader)
                {
                    manager.OnNewLeader(newLeader);
                }
            }

            return manager;
        });
        services.TryAddSingleton(new LeaderServiceRegistrations(services));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, HaHostedService>());
        return new RoostHaBuilder(services);
    }

    /// <summary>Adds work to run while this replica leads; its token is cancelled the moment leadership ends.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="callback">The leader work; see <see cref="HaManager.OnStartedLeading"/>.</param>
    /// <returns>The builder.</returns>
    public static IRoostHaBuilder OnStartedLeading(this IRoostHaBuilder builder, Func<RoostKeeper.Ha.Election.Leadership, CancellationToken, Task> callback)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(callback);
        builder.Services.AddSingleton(new LeadershipCallbackRegistration { Started = callback });
        return builder;
    }

    /// <summary>Adds a callback for the end of a term this replica held.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="callback">The callback; see <see cref="HaManager.OnStoppedLeading"/>.</param>
    /// <returns>The builder.</returns>
    public static IRoostHaBuilder OnStoppedLeading(this IRoostHaBuilder builder, Action callback)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(callback);
        builder.Services.AddSingleton(new LeadershipCallbackRegistration { Stopped = callback });
        return builder;
    }

    /// <summary>Adds a callback for each new leader this replica observes.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="callback">Receives the new leader's identity; see <see cref="HaManager.OnNewLeader"/>.</param>
    /// <returns>The builder.</returns>
    public static IRoostHaBuilder OnNewLeader(this IRoostHaBuilder builder, Action<string> callback)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(callback);
        builder.Services.AddSingleton(new LeadershipCallbackRegistration { NewLeader = callback });
        return builder;
    }

    /// <summary>
    /// Runs <typeparamref name="T"/> (typically a <see cref="BackgroundService"/>) only while this replica
    /// leads: a new instance, created with its dependencies from a DI scope of its own, is started when a
    /// term begins and stopped (its token cancelled, then its ExecuteAsync awaited) when the term ends;
    /// the scope is disposed after it. If its ExecuteAsync throws during the term, the term ends (as with a
    /// throwing <see cref="HaManager.OnStartedLeading"/> callback) so another replica can lead.
    /// </summary>
    /// <typeparam name="T">
    /// The hosted service. Do not also register it with AddHostedService: that runs it on every replica, and
    /// is refused (when this is called, or when the host starts) with an <see cref="InvalidOperationException"/>.
    /// </typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IRoostHaBuilder AddLeaderHostedService<T>(this IRoostHaBuilder builder)
        where T : class, IHostedService
    {
        ArgumentNullException.ThrowIfNull(builder);
        LeaderServiceRegistrations.ThrowIfAlsoHosted(builder.Services, typeof(T));
        builder.Services.AddSingleton(new LeaderHostedServiceType(typeof(T)));
        builder.Services.AddSingleton(sp => new LeadershipCallbackRegistration
        {
            Started = LeaderHostedService.For<T>(sp, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<LeaderElectionOptions>>().Value.StopLeadingTimeout),
        });
        return builder;
    }

    /// <summary>Binds the <c>RoostHa</c> section when the container has configuration (a host always does).</summary>
    private sealed class RoostHaConfigurationBinder(IServiceProvider services) : IConfigureOptions<LeaderElectionOptions>
    {
        public void Configure(LeaderElectionOptions options)
        {
            if (services.GetService<IConfiguration>() is { } configuration)
            {
                DurationBinding.Bind(configuration.GetSection(LeaderElectionOptions.SectionName), options);
            }
        }
    }
}
