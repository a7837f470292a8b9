using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Diagnostics;
using RoostKeeper.Ha.KubernetesApi;
using RoostKeeper.Ha.Fencing;

namespace RoostKeeper.Ha.Sample.Controller;

/// <summary>
/// The leader-only hosted service (registered with <c>AddLeaderHostedService</c>): a new instance runs for each
/// term this replica leads, resyncing every ManagedRoost each <see cref="ManagedRoostControllerOptions.ResyncPeriod"/>
/// under that term. It stops when the term's token is cancelled, and on its own when fencing shows a newer term.
/// </summary>
/// <remarks>
/// A production controller would watch (an informer) instead of listing on a period; the periodic resync keeps
/// the sample short and is what an informer falls back to anyway.
/// </remarks>
internal sealed class ManagedRoostController(
    HaManager manager,
    ControllerClient client,
    IOptions<ManagedRoostControllerOptions> options,
    ReconcileRecorder recorder,
    ControllerActivity activity,
    TimeProvider time,
    ILogger<ManagedRoostController> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (manager.Leadership is not { } leadership || stoppingToken.IsCancellationRequested)
        {
            return;
        }

        var fence = TermFence.For(leadership);
        var term = fence.Stamp;
        var settings = options.Value;
        var reconciler = new ManagedRoostReconciler(client.Kubernetes, settings.Namespace!, recorder, time, logger) { WriteDelay = settings.WriteDelay };
        ControllerLog.Started(logger, term.Holder, term.Term, reconciler.Namespace);
        activity.TermStarted(term);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    activity.Resynced(await reconciler.ResyncAsync(fence, stoppingToken));
                }
                catch (StaleTermException)
                {
                    // Fenced: a newer term wrote. Stop writing now; the elector ends this term when it sees the Lease.
                    return;
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested && KubernetesApiErrors.IsApiOrNetwork(e))
                {
                    activity.ResyncFailed(e);
                    ControllerLog.ResyncFailed(logger, reconciler.Namespace, settings.ResyncPeriod, e);
                }

                await Task.Delay(settings.ResyncPeriod, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The term ended: the normal way out.
        }
        finally
        {
            activity.TermEnded(term);
            ControllerLog.Stopped(logger, term.Holder, term.Term);
        }
    }
}
