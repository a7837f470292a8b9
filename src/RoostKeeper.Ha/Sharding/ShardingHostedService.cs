using Microsoft.Extensions.Hosting;
using RoostKeeper.Ha.Health;

namespace RoostKeeper.Ha.Sharding;

/// <summary>
/// Runs this replica's <see cref="ShardCoordinator"/> for the lifetime of the host. Registered after the election's
/// hosted service, so the host stops it first: shards are handed over (drain, release, membership deleted) while the
/// election still runs, then the election stops as it always did.
/// </summary>
internal sealed class ShardingHostedService(ShardCoordinator coordinator, ShardHealthGate? health = null) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _run;
    private Task? _health;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _run = coordinator.RunAsync(_stopping.Token);
        if (health is not null)
        {
            _health = health.RunAsync(coordinator, _stopping.Token);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_run is null)
        {
            return;
        }

        // Bounded: DrainTimeout for the work, a few requests for the writes, and the host's own shutdown timeout.
        var settings = coordinator.Settings;
        using (var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            bound.CancelAfter(settings.DrainTimeout + 2 * settings.RenewDeadline);
            await coordinator.DrainAsync(bound.Token).ConfigureAwait(false);
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _run.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_health is not null)
        {
            await _health.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        await coordinator.LeaveAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _stopping.Dispose();
}
