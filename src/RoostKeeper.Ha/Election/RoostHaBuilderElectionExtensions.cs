using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Election;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds leadership callbacks and leader-only hosted services to RoostKeeper.Ha's leader election.</summary>
public static class RoostHaBuilderElectionExtensions
{
    /// <summary>Adds work to run while this replica leads; its token is cancelled the moment leadership ends.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="callback">The leader work; see <c>HaManager.OnStartedLeading</c>.</param>
    /// <returns>The builder.</returns>
    public static IRoostHaBuilder OnStartedLeading(this IRoostHaBuilder builder, Func<Leadership, CancellationToken, Task> callback)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(callback);
        builder.Services.AddSingleton(new LeadershipCallbackRegistration { Started = callback });
        return builder;
    }

    /// <summary>Adds a callback for the end of a term this replica held.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="callback">The callback; see <c>HaManager.OnStoppedLeading</c>.</param>
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
    /// <param name="callback">Receives the new leader's identity; see <c>HaManager.OnNewLeader</c>.</param>
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
    /// throwing <c>HaManager.OnStartedLeading</c> callback) so another replica can lead.
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
}
