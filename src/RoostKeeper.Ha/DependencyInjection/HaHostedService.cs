using Microsoft.Extensions.Hosting;
using RoostKeeper.Ha;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Runs <see cref="HaManager"/>'s election for the lifetime of the host.</summary>
internal sealed class HaHostedService(HaManager manager) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _election;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _election = manager.StartLeaderElectionAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_election is null)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);

        // Bounded by the host's shutdown timeout; the elector itself bounds its wait for leader work.
        await _election.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _stopping.Dispose();
}
