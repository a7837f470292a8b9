using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace RoostKeeper.Ha.Sharding;

/// <summary>Runs one instance of a hosted service per owned shard, in a DI scope of its own in which <see cref="OwnedShard"/> resolves to its shard.</summary>
internal static class ShardedHostedService
{
    public static async Task RunAsync<T>(IServiceProvider services, TimeProvider time, TimeSpan stopTimeout, OwnedShard shard)
        where T : class, IHostedService
    {
        var scope = services.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            scope.ServiceProvider.GetRequiredService<ShardScope>().Shard = shard;
            var service = ActivatorUtilities.CreateInstance<T>(scope.ServiceProvider);
            try
            {
                await service.StartAsync(shard.Token).ConfigureAwait(false);
                var execution = (service as BackgroundService)?.ExecuteTask ?? Task.CompletedTask;
                var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                using (shard.Token.Register(static s => ((TaskCompletionSource)s!).TrySetResult(), ended))
                {
                    if (await Task.WhenAny(ended.Task, execution).ConfigureAwait(false) == execution && execution.IsFaulted)
                    {
                        await execution.ConfigureAwait(false); // Crashed while the shard was live: the shard is released.
                    }

                    await ended.Task.ConfigureAwait(false);
                }

                using (var stop = new CancellationTokenSource(stopTimeout, time))
                {
                    await service.StopAsync(stop.Token).ConfigureAwait(false);
                }

                try
                {
                    await execution.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
            finally
            {
                switch (service)
                {
                    case IAsyncDisposable asyncDisposable:
                        await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                        break;
                    case IDisposable disposable:
                        disposable.Dispose();
                        break;
                }
            }
        }
    }
}
