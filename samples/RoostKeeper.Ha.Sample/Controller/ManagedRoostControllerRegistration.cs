using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Sharding;

namespace RoostKeeper.Ha.Sample.Controller;

/// <summary>Registers the ManagedRoost controller on a replica: the same code on SimulatedCluster and on a real cluster.</summary>
internal static class ManagedRoostControllerRegistration
{
    /// <summary>
    /// Adds the leader-only controller (<see cref="ManagedRoostController"/>), its health check and its options,
    /// and records the replica's leadership callbacks in <paramref name="journal"/>.
    /// </summary>
    public static IRoostHaBuilder AddManagedRoostController(this IRoostHaBuilder builder, IKubernetes controllerClient, LeadershipJournal journal,
        Action<ManagedRoostControllerOptions>? configure = null, Action<ShardingOptions>? sharding = null)
    {
        var services = builder.Services;
        services.AddOptions<ManagedRoostControllerOptions>()
            .BindConfiguration(ManagedRoostControllerOptions.SectionName)
            .Configure(o => configure?.Invoke(o))
            .PostConfigure<IOptions<LeaderElectionOptions>>((o, ha) => o.Namespace ??= ha.Value.LeaseNamespace)
            .ValidateDataAnnotations()
            .Validate(o => !string.IsNullOrEmpty(o.Namespace), "ManagedRoost:Namespace must be set (it defaults to RoostHa:LeaseNamespace, which is empty too).")
            .ValidateOnStart();
        services.TryAddSingleton(new ControllerClient(controllerClient));
        services.TryAddSingleton<ControllerActivity>();
        services.TryAddSingleton(journal);

        // The callbacks: the journal records who led when; the work itself is the leader-only hosted service,
        // started for each term and stopped (its token cancelled, then awaited) when the term ends.
        var identity = "";
        builder
            .OnStartedLeading((leadership, _) =>
            {
                identity = leadership.Identity;
                journal.Add(leadership.Identity, LeadershipEventKind.StartedLeading, leadership.Term);
                return Task.CompletedTask;
            })
            .OnStoppedLeading(() => journal.Add(identity, LeadershipEventKind.StoppedLeading));
        if (sharding is null)
        {
            return builder.AddLeaderHostedService<ManagedRoostController>();
        }

        // Sharded: the leader assigns the shards; every replica reconciles the roosts of the shards it owns.
        services.AddHostedService<ShardedRoostController>();
        return builder.AddShardedLeadership(sharding);
    }
}
