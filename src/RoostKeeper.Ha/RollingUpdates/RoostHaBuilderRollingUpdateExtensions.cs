using System.Diagnostics.Metrics;
using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Configuration;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.RollingUpdates;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds rolling updates to RoostKeeper.Ha.</summary>
public static class RoostHaBuilderRollingUpdateExtensions
{
    /// <summary>
    /// Registers <see cref="RollingUpdateManager"/> as a singleton. Its default <see cref="RollingUpdateOptions"/> bind
    /// from the <c>RoostHa:RollingUpdates</c> configuration section, then <paramref name="configure"/> applies; they are
    /// validated at start-up. The manager uses the registered <see cref="IKubernetes"/>, this replica's election
    /// identity as its lock holder, and refuses to start an update while this replica is not the leader, so that in a
    /// fleet of replicas only the leader performs updates (the Deployment's lock Lease also stops two managers
    /// that are not in the same election).
    /// </summary>
    /// <param name="builder">The builder from <c>AddRoostHa</c>.</param>
    /// <param name="configure">Sets default options in code (after configuration binding).</param>
    /// <returns>The builder.</returns>
    public static IRoostHaBuilder AddRollingUpdates(this IRoostHaBuilder builder, Action<RollingUpdateOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<RollingUpdateOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<RollingUpdateOptions>, RollingUpdateConfigurationBinder>());
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RollingUpdateOptions>, RollingUpdateOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RollingUpdateOptions>, DurationValidator<RollingUpdateOptions>>(
            sp => new DurationValidator<RollingUpdateOptions>(sp, RollingUpdateOptions.SectionName)));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var ha = sp.GetService<ILeaderElector>();
            return new RollingUpdateManager(
                sp.GetRequiredService<IKubernetes>(),
                sp.GetRequiredService<IOptions<RollingUpdateOptions>>().Value,
                sp.GetService<ILoggerFactory>(),
                sp.GetRequiredService<TimeProvider>(),
                new RollingUpdateMetrics(sp.GetService<IMeterFactory>()),
                ownsMetrics: true,
                ha?.Identity,
                ha is null ? null : () => (ha.IsLeader, ha.IsLeader ? ha.Identity : ha.CurrentLeader));
        });
        return builder;
    }

    /// <summary>Binds the <c>RoostHa:RollingUpdates</c> section when the container has configuration.</summary>
    private sealed class RollingUpdateConfigurationBinder(IServiceProvider services) : IConfigureOptions<RollingUpdateOptions>
    {
        public void Configure(RollingUpdateOptions options)
        {
            if (services.GetService<IConfiguration>() is { } configuration)
            {
                var section = configuration.GetSection(RollingUpdateOptions.SectionName);
                DurationBinding.Bind(section, options);

                // IntOrString has no type converter, so the two fenceposts are read by hand: "1" or "25%".
                if (section[nameof(RollingUpdateOptions.MaxSurge)] is { } surge)
                {
                    options.MaxSurge = surge;
                }

                if (section[nameof(RollingUpdateOptions.MaxUnavailable)] is { } unavailable)
                {
                    options.MaxUnavailable = unavailable;
                }
            }
        }
    }
}
