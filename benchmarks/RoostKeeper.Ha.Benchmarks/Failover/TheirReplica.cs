using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;

namespace RoostKeeper.Ha.Benchmarks.Failover;

/// <summary>A replica running KubernetesClient's polling <see cref="LeaderElector"/>.</summary>
internal sealed class TheirReplica(string name, IKubernetes client, string leaseNamespace, string leaseName, ElectionTimings timings, LeadershipLog log)
    : Replica(name, client, leaseNamespace, leaseName, timings, log)
{
    protected override async Task RunAsync(string identity, CancellationToken stop)
    {
        using var elector = new LeaderElector(new LeaderElectionConfig(new LeaseLock(Client, LeaseNamespace, LeaseName, identity))
        {
            LeaseDuration = Timings.LeaseDuration,
            RenewDeadline = Timings.RenewDeadline,
            RetryPeriod = Timings.RetryPeriod,
        });
        LeadershipLog.Interval? current = null;
        elector.OnStartedLeading += () => current = Log.Start(Name, identity);
        elector.OnStoppedLeading += () =>
        {
            if (current is not null)
            {
                Log.End(current);
            }
        };
        try
        {
            await elector.RunAndTryToHoldLeadershipForeverAsync(stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}
