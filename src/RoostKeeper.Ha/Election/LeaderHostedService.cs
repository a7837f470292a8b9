using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RoostKeeper.Ha.Election;

namespace RoostKeeper.Ha.Election;

/// <summary>Runs a hosted service for the span of one leadership term.</summary>
internal static class LeaderHostedService
{
    /// <summary>
    /// A fresh <typeparamref name="T"/> per term, resolved in a scope of its own (a stopped BackgroundService
    /// cannot be trusted to start again, and scoped dependencies must not outlive the term): started when
    /// the term begins, stopped when it ends. Completes only when the service has really finished: for a
    /// <see cref="BackgroundService"/>, when ExecuteAsync returned, however long after StopAsync gave up.
    /// Throws when ExecuteAsync throws during the term, which ends the term.
    /// </summary>
    /// <param name="services">The root provider the scope is created from.</param>
    /// <param name="time">The clock of the stop timeout.</param>
    /// <param name="stopTimeout">How long StopAsync may take.</param>
    /// <param name="leaderToken">Cancelled when the term (or a shard's ownership) ends.</param>
    /// <param name="prepareScope">Runs in the new scope before the service is created (sharding puts the shard there).</param>
    public static async Task RunAsync<T>(IServiceProvider services, TimeProvider time, TimeSpan stopTimeout, CancellationToken leaderToken, Action<IServiceProvider>? prepareScope = null)
        where T : class, IHostedService
    {
        var scope = services.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            prepareScope?.Invoke(scope.ServiceProvider);
            var service = ActivatorUtilities.CreateInstance<T>(scope.ServiceProvider);
            try
            {
                await service.StartAsync(leaderToken).ConfigureAwait(false);
                var execution = (service as BackgroundService)?.ExecuteTask ?? Task.CompletedTask;
                var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                using (leaderToken.Register(static s => ((TaskCompletionSource)s!).TrySetResult(), ended))
                {
                    if (await Task.WhenAny(ended.Task, execution).ConfigureAwait(false) == execution && execution.IsFaulted)
                    {
                        // The service crashed while the term was live: end the term, as a throwing callback does.
                        await execution.ConfigureAwait(false);
                    }

                    // ExecuteAsync that returns normally does not end the term (a callback that returns does not).
                    await ended.Task.ConfigureAwait(false);
                }

                using (var stop = new CancellationTokenSource(stopTimeout, time))
                {
                    await service.StopAsync(stop.Token).ConfigureAwait(false);
                }

                // Drained means ExecuteAsync returned: BackgroundService.StopAsync returns when its token fires
                // even if ExecuteAsync runs on. The elector bounds how long it waits for this.
                await ObserveEndAsync(execution).ConfigureAwait(false);
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

    public static Func<Leadership, CancellationToken, Task> For<T>(IServiceProvider services, TimeProvider time, TimeSpan stopTimeout)
        where T : class, IHostedService =>
        (_, token) => RunAsync<T>(services, time, stopTimeout, token);

    private static async Task ObserveEndAsync(Task execution)
    {
        try
        {
            await execution.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The service stopped on its token: the normal end.
        }
    }
}
