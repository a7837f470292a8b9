using k8s;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RoostKeeper.Ha.KubernetesApi;

namespace RoostKeeper.Ha.Health.Checks;

/// <summary>The API server answers <c>GET /version</c> (any authenticated client may, so it needs no RBAC).</summary>
internal sealed class KubernetesApiHealthCheck(IKubernetes client, TimeProvider time) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var started = time.GetTimestamp();
        try
        {
            var version = await KubernetesReads.For(client).GetVersionAsync(cancellationToken).ConfigureAwait(false);
            var elapsed = time.GetElapsedTime(started);
            return HealthCheckResult.Healthy(
                $"The API server ({version.GitVersion}) answered in {elapsed.TotalMilliseconds:F0} ms.",
                new Dictionary<string, object> { ["version"] = version.GitVersion ?? "", ["latencyMs"] = elapsed.TotalMilliseconds });
        }
        catch (Exception e) when (KubernetesApiErrors.IsApiOrNetwork(e) && !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The API server cannot be reached: {KubernetesApiErrors.Describe(e)}.", e);
        }
    }
}
