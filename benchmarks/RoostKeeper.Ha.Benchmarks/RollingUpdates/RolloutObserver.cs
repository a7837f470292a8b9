using System.Diagnostics;
using k8s;
using RoostKeeper.Ha.RollingUpdates;

namespace RoostKeeper.Ha.Benchmarks.RollingUpdates;

/// <summary>
/// Watches one Deployment from outside both procedures, on its own client, every 25 ms, and records on the run's
/// Stopwatch: the first time a pod of the bad image is seen crashed (CrashLoopBackOff or a restart), and the first time,
/// after the rollback began, that the Deployment is back on the good image with kubectl's "successfully rolled out"
/// and every replica available. Both sides are timed by this same observer.
/// </summary>
internal sealed class RolloutObserver(IKubernetes client, string ns, string name, string badImage, string goodImage, Stopwatch clock)
{
    public TimeSpan? FirstCrash { get; private set; }

    public TimeSpan? RolledBackAvailable { get; private set; }

    /// <summary>Set by the procedure when its rollback starts; availability is only judged after it.</summary>
    public TimeSpan? RollbackStarted { get; set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested && RolledBackAvailable is null)
        {
            try
            {
                var now = clock.Elapsed;
                if (FirstCrash is null)
                {
                    var pods = await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "app=" + name, cancellationToken: cancellationToken);
                    if (pods.Items.Any(p => p.Spec.Containers.Any(c => c.Image == badImage)
                        && (p.Status?.ContainerStatuses ?? []).Any(c => c.RestartCount > 0 || c.State?.Waiting?.Reason == "CrashLoopBackOff")))
                    {
                        FirstCrash = now;
                    }
                }

                if (RollbackStarted is not null)
                {
                    var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: cancellationToken);
                    var replicaSets = (await client.AppsV1.ListNamespacedReplicaSetAsync(ns, labelSelector: "app=" + name, cancellationToken: cancellationToken)).Items;
                    var report = RolloutStatusEvaluator.Evaluate(deployment, replicaSets);
                    if (deployment.Spec.Template.Spec.Containers[0].Image == goodImage && report.State == RolloutState.Complete && report.Available >= report.Desired)
                    {
                        RolledBackAvailable = clock.Elapsed;
                    }
                }

                await Task.Delay(25, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
