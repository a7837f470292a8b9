using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RoostKeeper.Ha.Election;

namespace RoostKeeper.Ha.Sharding;

/// <summary>Runs one instance of a hosted service per owned shard, in a DI scope of its own in which <see cref="OwnedShard"/> resolves to its shard.</summary>
internal static class ShardedHostedService
{
    /// <summary>
    /// The leader's per-term hosting (<see cref="LeaderHostedService"/>) with the shard as the term: started when the
    /// shard is acquired, stopped when its token is cancelled, and finished only when the service really has; a
    /// service that throws while the shard is held releases it.
    /// </summary>
    public static Task RunAsync<T>(IServiceProvider services, TimeProvider time, TimeSpan stopTimeout, OwnedShard shard)
        where T : class, IHostedService =>
        LeaderHostedService.RunAsync<T>(services, time, stopTimeout, shard.Token, scope => scope.GetRequiredService<ShardScope>().Shard = shard);
}
