using System.Globalization;
using k8s;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RoostKeeper.Ha.Health.Checks;

/// <summary>
/// A Deployment has enough available replicas: fewer than <c>minAvailable</c>, or a Progressing=False
/// condition (ProgressDeadlineExceeded), fails; available but short of desired is Degraded.
/// </summary>
internal sealed class DeploymentReplicasHealthCheck(IKubernetes client, string ns, string name, int minAvailable) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var deployment = await KubernetesReads.For(client).ReadDeploymentAsync(ns, name, cancellationToken).ConfigureAwait(false);
        if (deployment is null)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Deployment {ns}/{name} does not exist.");
        }

        var desired = deployment.Spec?.Replicas ?? 1;
        var status = deployment.Status;
        var available = status?.AvailableReplicas ?? 0;
        var data = new Dictionary<string, object>
        {
            ["desired"] = desired,
            ["available"] = available,
            ["ready"] = status?.ReadyReplicas ?? 0,
            ["updated"] = status?.UpdatedReplicas ?? 0,
            ["minAvailable"] = minAvailable,
        };
        var replicas = $"{available.ToString(CultureInfo.InvariantCulture)}/{desired.ToString(CultureInfo.InvariantCulture)} available";
        var progressing = status?.Conditions?.FirstOrDefault(c => c.Type == "Progressing");
        if (progressing?.Status == "False")
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Deployment {ns}/{name} is not progressing ({progressing.Reason}: {progressing.Message}); {replicas}.", data: data);
        }

        if (available < minAvailable)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Deployment {ns}/{name} has {replicas}, fewer than the minimum of {minAvailable.ToString(CultureInfo.InvariantCulture)}.", data: data);
        }

        return available < desired
            ? HealthCheckResult.Degraded($"Deployment {ns}/{name} has {replicas}.", data: data)
            : HealthCheckResult.Healthy($"Deployment {ns}/{name} has {replicas}.", data);
    }
}
