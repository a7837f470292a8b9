using Microsoft.Extensions.Hosting;

namespace RoostKeeper.Ha.Election;

/// <summary>Runs this replica's <see cref="LeaseElector"/> for the lifetime of the host.</summary>
internal sealed class ElectionHostedService : IHostedService, IDisposable
{
    private readonly LeaseElector _elector;

    public ElectionHostedService(LeaseElector elector, LeaderServiceRegistrations registrations)
    {
        // The host builds every hosted service before it starts any: a leader-only type that is also an
        // ordinary hosted service is refused before it can run on this replica.
        registrations.Validate();
        _elector = elector;
    }

    private readonly CancellationTokenSource _stopping = new();
    private Task? _election;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _election = _elector.RunAsync(_stopping.Token);
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
