using Microsoft.Extensions.Hosting;
using RoostKeeper.Ha.Election;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Runs a hosted service for the span of one leadership term.</summary>
internal static class LeaderHostedService
{
    /// <summary>
    /// A fresh <typeparamref name="T"/> per term (a stopped BackgroundService cannot be trusted to start
    /// again): started when the term begins, stopped (its token cancelled, then awaited) when it ends.
    /// </summary>
    public static async Task RunAsync<T>(IServiceProvider services, TimeSpan stopTimeout, CancellationToken leaderToken)
        where T : class, IHostedService
    {
        var service = ActivatorUtilities.CreateInstance<T>(services);
        try
        {
            await service.StartAsync(leaderToken).ConfigureAwait(false);
            var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (leaderToken.Register(static s => ((TaskCompletionSource)s!).TrySetResult(), ended))
            {
                await ended.Task.ConfigureAwait(false);
            }

            using var stop = new CancellationTokenSource(stopTimeout);
            await service.StopAsync(stop.Token).ConfigureAwait(false);
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

    public static Func<Leadership, CancellationToken, Task> For<T>(IServiceProvider services, TimeSpan stopTimeout)
        where T : class, IHostedService =>
        (_, token) => RunAsync<T>(services, stopTimeout, token);
}
