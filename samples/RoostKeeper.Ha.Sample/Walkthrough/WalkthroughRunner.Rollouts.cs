using k8s;
using k8s.Models;
using RoostKeeper.Ha.KubernetesApi;
using RoostKeeper.Ha.RollingUpdates;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Sample.Walkthrough;

/// <summary>The rolling update steps, against the simulator's Deployment controller and kubelet.</summary>
internal sealed partial class WalkthroughRunner
{
    private const string Deployment = "roost-keeper-controller-manager";
    private const string Image = "ghcr.io/roost-keeper/roost-keeper-sample";

    private static RollingUpdateOptions FastRollout(string cause) => new()
    {
        ChangeCause = cause,
        PollInterval = TimeSpan.FromMilliseconds(50),
        ReadinessTimeout = TimeSpan.FromSeconds(20),
        Timeout = TimeSpan.FromSeconds(60),
        RollbackTimeout = TimeSpan.FromSeconds(60),
    };

    private async Task<string> UpdateAsync(CancellationToken cancellationToken)
    {
        await EnsureDeploymentAsync(cancellationToken);
        var leader = await LeaderAsync(cancellationToken);
        var status = await RolloutAsync(leader, Image + ":0.2.0", "release 0.2.0", cancellationToken);
        Expect(status.Phase == RollingUpdatePhase.Succeeded, $"The update to 0.2.0 ended {status.Phase}: {status.Message}");
        Expect(status.AvailableReplicas == 3 && status.UpdatedReplicas == 3, $"After the update {status.UpdatedReplicas} replicas are updated and {status.AvailableReplicas} available, not 3 and 3.");
        _timeline.Check($"{leader.Name} rolled {Deployment} to 0.2.0: revision {status.PreviousRevision} → {status.Revision}, 3 of 3 available, in {Timeline.Seconds(status.Duration ?? TimeSpan.Zero)}");
        return $"revision {status.Revision}, 3/3 available";
    }

    private async Task<string> RollbackAsync(CancellationToken cancellationToken)
    {
        await EnsureDeploymentAsync(cancellationToken);
        var before = await CurrentImageAsync(cancellationToken);
        var broken = Image + ":0.3.0-broken";
        Cluster.Images.Set(broken, ImageHealth.CrashLooping);
        _timeline.Say($"{broken} crash-loops on start (the simulator's kubelet is told so)");
        var leader = await LeaderAsync(cancellationToken);
        var status = await RolloutAsync(leader, broken, "release 0.3.0", cancellationToken);
        Expect(status.Phase == RollingUpdatePhase.RolledBack, $"The update to the crash-looping image ended {status.Phase}, not RolledBack: {status.Message}");
        var after = await CurrentImageAsync(cancellationToken);
        Expect(after == before, $"After the rollback the Deployment runs {after}, not {before}.");
        _timeline.Check($"{status.Failure} detected; rolled back to {after} with every replica available: {status.Message}");
        return $"{status.Failure} → rolled back to {after.Split(':')[^1]}";
    }

    private async Task<RollingUpdateStatus> RolloutAsync(SampleReplica leader, string image, string cause, CancellationToken cancellationToken)
    {
        _timeline.Say($"{leader.Name}: PerformRollingUpdateAsync({Deployment}, {image.Split('/')[^1]})");
        return await _timeline.ProgressAsync($"rolling out {image.Split('/')[^1]}", progress =>
            leader.Rollouts.PerformRollingUpdateAsync(Namespace, Deployment, image, FastRollout(cause), new Progress<RollingUpdateStatus>(s => progress.Report(s.Progress)), cancellationToken));
    }

    private async Task<string> CurrentImageAsync(CancellationToken cancellationToken) =>
        (await Admin.AppsV1.ReadNamespacedDeploymentAsync(Deployment, Namespace, cancellationToken: cancellationToken)).Spec.Template.Spec.Containers[0].Image;

    /// <summary>The Deployment the replicas would run as in a cluster (config/ha/deployment.yaml, trimmed), three ready pods.</summary>
    private async Task EnsureDeploymentAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Admin.AppsV1.ReadNamespacedDeploymentAsync(Deployment, Namespace, cancellationToken: cancellationToken);
            return;
        }
        catch (Exception e) when (KubernetesApiErrors.Classify(e) == ApiErrorKind.NotFound)
        {
            // Created below.
        }

        var labels = new Dictionary<string, string> { ["app"] = "roost-keeper" };
        await Admin.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = Deployment, Labels = labels },
            Spec = new V1DeploymentSpec
            {
                Replicas = 3,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Strategy = new V1DeploymentStrategy { Type = "RollingUpdate", RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = 1, MaxUnavailable = 1 } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "manager", Image = Image + ":0.1.0" }] },
                },
            },
        }, Namespace, cancellationToken: cancellationToken);
        await WaitUntilAsync(
            async () => (await Admin.AppsV1.ReadNamespacedDeploymentAsync(Deployment, Namespace, cancellationToken: cancellationToken)).Status is { AvailableReplicas: 3, UpdatedReplicas: 3 },
            $"Deployment {Deployment} to have 3 available replicas", Patience, cancellationToken);
        _timeline.Say($"Deployment {Deployment} runs 0.1.0 with 3 ready pods");
    }
}
