using k8s;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Health;
using RoostKeeper.Ha.Recovery;
using RoostKeeper.Ha.Recovery.Scheduling;
using RoostKeeper.Ha.Recovery.Stores;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds backups and restores (<see cref="RecoveryManager"/>) to RoostKeeper.Ha.</summary>
public static class RoostHaBuilderBackupExtensions
{
    /// <summary>
    /// Registers <see cref="RecoveryManager"/> with the options <paramref name="configure"/> sets (validated at
    /// start-up) and, when a schedule is set, runs scheduled backups on the leader only. Calling it again
    /// configures the same registration (one manager, one schedule), adding to its options.
    /// </summary>
    /// <param name="builder">The builder from AddRoostHa.</param>
    /// <param name="configure">Selects resources, the store, encryption, retention and schedule.</param>
    /// <returns>The builder.</returns>
    public static IRoostHaBuilder AddBackups(this IRoostHaBuilder builder, Action<BackupBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var backups = new BackupBuilder(builder.Services);
        configure(backups);
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(BackupsRegistered)))
        {
            // A second call adds to the same options (duplicate includes are read once) and replaces the
            // store if it sets one; registering again would run two schedulers, two backups per slot.
            return builder;
        }

        services.AddSingleton<BackupsRegistered>();
        services.AddOptions<BackupOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BackupOptions>, BackupOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BackupOptions>, BackupStoreValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new RecoveryMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton(sp =>
        {
            // A restore is verified by the check VerifyHealthWith set, else by the HealthManager when
            // AddHealthChecks registered one: the checks the operator already trusts for this controller.
            var health = sp.GetService<BackupHealthCheckRegistration>();
            var healthManager = health is null ? sp.GetService<HealthManager>() : null;
            Func<CancellationToken, Task<HealthReport>>? verify =
                health is not null ? ct => health.Check(sp, ct)
                : healthManager is not null ? healthManager.CheckHealthAsync
                : null;
            return new RecoveryManager(
                sp.GetRequiredService<IKubernetes>(),
                sp.GetRequiredService<IOptions<BackupOptions>>().Value,
                sp.GetRequiredService<IBackupStore>(),
                sp.GetService<ILoggerFactory>(),
                sp.GetRequiredService<TimeProvider>(),
                verify,
                sp.GetRequiredService<RecoveryMetrics>());
        });
        services.AddSingleton(sp => new LeadershipCallbackRegistration
        {
            Started = (_, token) =>
            {
                var schedule = sp.GetRequiredService<IOptions<BackupOptions>>().Value.Schedule;
                if (schedule is null)
                {
                    return Task.CompletedTask;
                }

                var scheduler = new BackupScheduler(
                    sp.GetRequiredService<RecoveryManager>(),
                    schedule,
                    sp.GetRequiredService<TimeProvider>(),
                    (ILogger?)sp.GetService<ILoggerFactory>()?.CreateLogger(RecoveryLog.Category) ?? Logging.Abstractions.NullLogger.Instance);
                return scheduler.RunAsync(token);
            },
        });
        return builder;
    }

    /// <summary>Marks that AddBackups registered its services, so a second call only configures.</summary>
    private sealed class BackupsRegistered;

    /// <summary>Fails start-up when AddBackups was given no store.</summary>
    private sealed class BackupStoreValidator(IServiceProvider services) : IValidateOptions<BackupOptions>
    {
        public ValidateOptionsResult Validate(string? name, BackupOptions options) =>
            services.GetService<IBackupStore>() is null
                ? ValidateOptionsResult.Fail("AddBackups has no store: call ToDirectory(path), ToS3(...) or ToStore(...).")
                : ValidateOptionsResult.Success;
    }
}
