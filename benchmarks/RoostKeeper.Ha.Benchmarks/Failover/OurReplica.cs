using k8s;
using RoostKeeper.Ha.Election;

namespace RoostKeeper.Ha.Benchmarks.Failover;

/// <summary>A replica running RoostKeeper.Ha's <see cref="HaManager"/>.</summary>
internal sealed class OurReplica(string name, IKubernetes client, string leaseNamespace, string leaseName, ElectionTimings timings, LeadershipLog log)
    : Replica(name, client, leaseNamespace, leaseName, timings, log)
{
    protected override async Task RunAsync(string identity, CancellationToken stop)
    {
        using var manager = new HaManager(Client, new RoostHaOptions
        {
            LeaseName = LeaseName,
            LeaseNamespace = LeaseNamespace,
            Identity = identity,
            LeaseDuration = Timings.LeaseDuration,
            RenewDeadline = Timings.RenewDeadline,
            RetryPeriod = Timings.RetryPeriod,
        });
        manager.OnStartedLeading(async (Leadership _, CancellationToken term) =>
        {
            var interval = Log.Start(Name, identity);

            // The interval ends the instant the leader token is cancelled, not when this continuation runs.
            await using var ended = term.Register(() => Log.End(interval));
            try
            {
                await Task.Delay(Timeout.Infinite, term);
            }
            catch (OperationCanceledException)
            {
            }
        });
        await manager.StartLeaderElectionAsync(stop);
    }
}
