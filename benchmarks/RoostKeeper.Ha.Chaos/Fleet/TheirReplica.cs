using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Chaos.Fleet;

/// <summary>A replica running KubernetesClient's polling <see cref="LeaderElector"/> (real time: it takes no TimeProvider).</summary>
internal sealed class TheirReplica(string name, IKubernetes client, string leaseNamespace, string leaseName, ElectionTimings timings, LeadershipRecorder recorder)
    : ChaosReplica(name, client, leaseNamespace, leaseName, timings, recorder)
{
    private int _faults;

    public override string Elector => "KubernetesClient";

    /// <summary>How often RunAndTryToHoldLeadershipForeverAsync threw other than on stop (and was run again).</summary>
    public int ElectorFaults => Volatile.Read(ref _faults);

    protected override async Task RunAsync(string identity, CancellationToken stop)
    {
        using var elector = new LeaderElector(new LeaderElectionConfig(new LeaseLock(Client, LeaseNamespace, LeaseName, identity))
        {
            LeaseDuration = Timings.LeaseDuration,
            RenewDeadline = Timings.RenewDeadline,
            RetryPeriod = Timings.RetryPeriod,
        });
        elector.OnStartedLeading += () => Recorder.Started(Name);
        elector.OnStoppedLeading += () => Recorder.Stopped(Name);
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
                // KubernetesClient's elector lets some API errors escape and then stops for good; a hosted
                // service would run it again, so this harness does, after RetryPeriod.
                Interlocked.Increment(ref _faults);
                Recorder.Stopped(Name);
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
}
