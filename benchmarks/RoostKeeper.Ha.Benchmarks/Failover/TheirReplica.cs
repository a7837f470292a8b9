using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;

namespace RoostKeeper.Ha.Benchmarks.Failover;

/// <summary>A replica running KubernetesClient's polling <see cref="LeaderElector"/>.</summary>
internal sealed class TheirReplica(string name, IKubernetes client, string leaseNamespace, string leaseName, ElectionTimings timings, LeadershipLog log)
    : Replica(name, client, leaseNamespace, leaseName, timings, log)
{
    private int _faults;

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
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await elector.RunAndTryToHoldLeadershipForeverAsync(stop);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                // Stopping: whatever the last request ended with, the run is over.
            }
            catch (Exception)
            {
                // KubernetesClient's elector lets some API errors escape while acquiring (a connection reset
                // is an HttpRequestException, a hung request ends in HttpClient's timeout) and then stops for
                // good; a hosted service would run it again, so this harness does, after RetryPeriod.
                Interlocked.Increment(ref _faults);
                try
                {
                    await Task.Delay(Timings.RetryPeriod, stop);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }

    /// <summary>How often RunAndTryToHoldLeadershipForeverAsync threw other than on stop (and was run again).</summary>
    public int ElectorFaults => Volatile.Read(ref _faults);
}
