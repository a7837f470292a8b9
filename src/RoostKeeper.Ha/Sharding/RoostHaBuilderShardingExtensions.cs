using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Sharding;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds sharded leadership to RoostKeeper.Ha: every replica owns a balanced share of the work's shards.</summary>
public static class RoostHaBuilderShardingExtensions
{
    /// <summary>
    /// Splits the work into shards spread over the live replicas (each owns ⌊N/R⌋ or ⌈N/R⌉), moved by graceful
    /// hand-off when a replica joins or leaves and within LeaseDuration + RetryPeriod when one crashes. Registers
    /// <see cref="IShardOwnership"/>. The single leader (election) keeps running: it assigns the shards and runs
    /// cluster-wide work.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets <see cref="ShardingOptions"/>; bound from <c>RoostHa:Sharding</c> first.</param>
    /// <returns>The builder.</returns>
    public static IRoostHaBuilder AddShardedLeadership(this IRoostHaBuilder builder, Action<ShardingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddShardingOptions(configure);
        builder.Services.AddShardingRuntime();
        return builder;
    }

    /// <summary>Adds work to run for each shard while this replica holds it; its token is cancelled before the shard can move.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="callback">The shard's work; the shard is released when it has returned (or after the drain timeout).</param>
    /// <returns>The builder.</returns>
    public static IRoostHaBuilder OnShardAcquired(this IRoostHaBuilder builder, Func<OwnedShard, CancellationToken, Task> callback)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(callback);
        builder.Services.AddSingleton(new ShardCallbackRegistration { Acquired = callback });
        return builder;
    }

    /// <summary>Adds a callback for each shard this replica has given up (after its work has drained).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="callback">Receives the shard given up.</param>
    /// <returns>The builder.</returns>
    public static IRoostHaBuilder OnShardReleased(this IRoostHaBuilder builder, Action<OwnedShard> callback)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(callback);
        builder.Services.AddSingleton(new ShardCallbackRegistration { Released = callback });
        return builder;
    }

    /// <summary>
    /// Runs one instance of <typeparamref name="T"/> per shard this replica holds, created in a DI scope of its own in
    /// which <see cref="OwnedShard"/> resolves to its shard; it is stopped (token cancelled, ExecuteAsync awaited) before
    /// the shard is released. If it throws, the shard is released (its term ends) and taken again, with a new instance and a new term, after a hold-off of LeaseDuration.
    /// </summary>
    /// <typeparam name="T">The hosted service. Do not also register it with AddHostedService.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IRoostHaBuilder AddShardedHostedService<T>(this IRoostHaBuilder builder)
        where T : class, IHostedService
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton(sp => new ShardCallbackRegistration
        {
            Name = typeof(T).Name,
            Acquired = (shard, _) => ShardedHostedService.RunAsync<T>(sp, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<ShardingOptions>>().Value.DrainTimeout, shard),
        });
        return builder;
    }
}
