using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Configuration;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Health;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds health monitoring to RoostKeeper.Ha: <see cref="HealthManager"/>, periodic checks and the step-down policy.</summary>
public static class RoostHaBuilderHealthExtensions
{
    /// <summary>
    /// Adds health checks: <paramref name="configure"/> registers them on the application's
    /// <see cref="IHealthChecksBuilder"/> (so ASP.NET Core's <c>MapHealthChecks</c> serves them too), and a
    /// <see cref="HealthManager"/> runs every registered check each <see cref="HealthOptions.Interval"/>,
    /// publishing metrics and logging changes. <c>HaManager.CheckClusterHealthAsync</c> and
    /// <c>HaStatus.ClusterHealth</c> then report from it. Options bind from <c>RoostHa:Health</c>,
    /// then <paramref name="configureOptions"/> applies; they are validated at start-up.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Registers the checks, e.g. <c>h =&gt; h.AddKubernetesApi().AddLeaderElection()</c>.</param>
    /// <param name="configureOptions">Sets options in code (after configuration binding).</param>
    /// <returns>The builder.</returns>
    public static IRoostHaBuilder AddHealthChecks(this IRoostHaBuilder builder, Action<IHealthChecksBuilder> configure, Action<HealthOptions>? configureOptions = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        AddHealthCore(builder.Services);
        configure(builder.Services.AddHealthChecks());
        if (configureOptions is not null)
        {
            builder.Services.Configure(configureOptions);
        }

        return builder;
    }

    /// <summary>
    /// When this replica leads and its health stays Unhealthy for <paramref name="after"/>, it hands
    /// leadership to a replica that reports itself healthy (through <c>HaManager.TriggerFailoverAsync</c>);
    /// when no other replica is known to be healthier, it keeps leading. Every replica publishes its health
    /// in a Lease of its own for the others to see (see docs/health.md). Needs <c>AddHealthChecks</c>.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="after">How long the leader must be Unhealthy first; at least the health Interval.</param>
    /// <returns>The builder.</returns>
    public static IRoostHaBuilder StepDownWhenUnhealthy(this IRoostHaBuilder builder, TimeSpan after)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddHealthCore(builder.Services);
        builder.Services.Configure<HealthOptions>(o => o.StepDownAfter = after);
        return builder;
    }

    private static void AddHealthCore(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(HealthManager)))
        {
            return;
        }

        services.AddHealthChecks();
        services.AddOptions<HealthOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<HealthOptions>, HealthConfigurationBinder>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<HealthOptions>, HealthOptionsDefaults>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HealthOptions>, HealthOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HealthOptions>, DurationValidator<HealthOptions>>(
            sp => new DurationValidator<HealthOptions>(sp, HealthOptions.SectionName)));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new HealthMetrics(sp.GetRequiredService<ElectionMetrics>().Meter));
        services.TryAddSingleton(sp =>
        {
            var health = new HealthManager(
                sp.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations,
                sp,
                sp.GetRequiredService<IOptions<HealthOptions>>().Value,
                (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger(HealthLog.Category),
                sp.GetRequiredService<TimeProvider>());
            return health;
        });
        services.TryAddSingleton(sp => new HealthMonitor(
            sp.GetRequiredService<HealthManager>(),
            sp.GetRequiredService<HealthMetrics>(),
            sp.GetService<ILeaderElector>(),
            sp.GetRequiredService<IKubernetes>(),
            (sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger(HealthLog.Category),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<HealthMonitor>());
    }

    /// <summary>Binds the <c>RoostHa:Health</c> section when the container has configuration.</summary>
    private sealed class HealthConfigurationBinder(IServiceProvider services) : IConfigureOptions<HealthOptions>
    {
        public void Configure(HealthOptions options)
        {
            if (services.GetService<IConfiguration>() is { } configuration)
            {
                DurationBinding.Bind(configuration.GetSection(HealthOptions.SectionName), options);
            }
        }
    }

    /// <summary>Fills Namespace (the Lease's) and PodName (POD_NAME) when they were not set.</summary>
    private sealed class HealthOptionsDefaults(IOptions<LeaderElectionOptions> election) : IPostConfigureOptions<HealthOptions>
    {
        public void PostConfigure(string? name, HealthOptions options)
        {
            if (string.IsNullOrWhiteSpace(options.Namespace))
            {
                options.Namespace = election.Value.LeaseNamespace;
            }

            if (string.IsNullOrWhiteSpace(options.PodName) && Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 } pod)
            {
                options.PodName = pod;
            }
        }
    }
}
