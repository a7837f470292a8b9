using System.Diagnostics.Metrics;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Configuration;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Health;

namespace RoostKeeper.Ha.Sharding;

/// <summary>Registers sharded leadership's options (bound from <c>RoostHa:Sharding</c>, defaulted, validated at start-up) and runtime.</summary>
internal static class ShardingServiceCollectionExtensions
{
    public static OptionsBuilder<ShardingOptions> AddShardingOptions(this IServiceCollection services, Action<ShardingOptions>? configure)
    {
        var options = services.AddOptions<ShardingOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<ShardingOptions>, ShardingConfigurationBinder>());
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<ShardingOptions>, ShardingOptionsDefaults>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ShardingOptions>, ShardingOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ShardingOptions>, DurationValidator<ShardingOptions>>(
            sp => new DurationValidator<ShardingOptions>(sp, ShardingOptions.SectionName)));
        return options;
    }

    /// <summary>Adds the coordinator (run as a hosted service after the election's), <see cref="IShardOwnership"/> and the per-shard scope.</summary>
    public static void AddShardingRuntime(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new ShardingMetrics(sp.GetService<IMeterFactory>()));
        services.TryAddScoped<ShardScope>();
        services.TryAddScoped(sp => sp.GetRequiredService<ShardScope>().Shard
            ?? throw new InvalidOperationException("OwnedShard resolves only in the scope of a sharded hosted service (AddShardedHostedService<T>); elsewhere ask IShardOwnership."));
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ShardingOptions>>().Value;
            var elector = sp.GetRequiredService<LeaseElector>();
            var settings = ShardSettings.From(options, elector.Settings);
            var work = new ShardWork();
            foreach (var registration in sp.GetServices<ShardCallbackRegistration>())
            {
                if (registration.Acquired is { } acquired)
                {
                    work.AddAcquired(registration.Name, acquired);
                }

                if (registration.Released is { } released)
                {
                    work.AddReleased(released);
                }
            }

            var logger = (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger(ShardingLog.Category);
            return new ShardCoordinator(elector, new KubernetesShardLeases(sp.GetRequiredService<IKubernetes>(), settings.Namespace), settings, work, logger, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ShardingMetrics>());
        });
        services.TryAddSingleton<IShardOwnership>(sp => sp.GetRequiredService<ShardCoordinator>().Ownership);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ShardingHostedService>(sp =>
        {
            var coordinator = sp.GetRequiredService<ShardCoordinator>();
            var health = sp.GetService<HealthManager>();
            var gate = health?.Options.StepDownAfter is { } after ? new ShardHealthGate(health, after, sp.GetRequiredService<TimeProvider>()) : null;
            return new ShardingHostedService(coordinator, gate);
        }));
    }
}
