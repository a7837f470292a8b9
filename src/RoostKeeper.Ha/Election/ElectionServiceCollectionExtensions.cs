using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Configuration;

namespace RoostKeeper.Ha.Election;

/// <summary>
/// Registers what leader election needs of a container: its options (bound, defaulted in the pod, validated
/// at start-up), its metrics and the hosted service that runs the elector. <c>AddRoostHa</c> composes this
/// with the cluster client and the <c>HaManager</c> that owns the elector.
/// </summary>
internal static class ElectionServiceCollectionExtensions
{
    /// <summary>Adds the election's options, metrics and hosted service.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets options in code (after configuration binding), or null.</param>
    /// <param name="kubeconfigNamespace">The namespace of the kubeconfig context in use, the Lease namespace's default outside a pod.</param>
    /// <returns>The options builder.</returns>
    public static OptionsBuilder<LeaderElectionOptions> AddLeaderElectionCore(this IServiceCollection services, Action<LeaderElectionOptions>? configure, Func<IServiceProvider, string?> kubeconfigNamespace)
    {
        var options = services.AddOptions<LeaderElectionOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<LeaderElectionOptions>, LeaderElectionConfigurationBinder>());
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<LeaderElectionOptions>, PodEnvironment>(
            sp => new PodEnvironment(() => kubeconfigNamespace(sp))));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LeaderElectionOptions>, LeaderElectionOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LeaderElectionOptions>, DurationValidator<LeaderElectionOptions>>(
            sp => new DurationValidator<LeaderElectionOptions>(sp, LeaderElectionOptions.SectionName)));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new ElectionMetrics(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton(new LeaderServiceRegistrations(services));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ElectionHostedService>());
        return options;
    }

    /// <summary>Attaches the callbacks registered through the builder to <paramref name="callbacks"/>.</summary>
    /// <param name="services">The container.</param>
    /// <param name="callbacks">The elector's callbacks.</param>
    public static void AttachRegisteredCallbacks(IServiceProvider services, LeadershipCallbacks callbacks)
    {
        foreach (var registration in services.GetServices<LeadershipCallbackRegistration>())
        {
            if (registration.Started is { } started)
            {
                callbacks.AddStarted(started);
            }

            if (registration.Stopped is { } stopped)
            {
                callbacks.AddStopped(stopped);
            }

            if (registration.NewLeader is { } newLeader)
            {
                callbacks.AddNewLeader(newLeader);
            }
        }
    }
}
