using System.Globalization;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RoostKeeper.Ha.Health.Checks;

/// <summary>A Service exists and its EndpointSlices hold at least <c>minReady</c> ready endpoints; some not ready is Degraded.</summary>
internal sealed class ServiceEndpointsHealthCheck(IKubernetes client, string ns, string service, int minReady) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var endpoints = await ServiceEndpoints.ReadAsync(KubernetesReads.For(client), ns, service, cancellationToken).ConfigureAwait(false);
        if (endpoints is null)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Service {ns}/{service} does not exist.");
        }

        var data = new Dictionary<string, object>
        {
            ["ready"] = endpoints.Ready,
            ["notReady"] = endpoints.NotReady,
            ["slices"] = endpoints.Slices,
            ["minReady"] = minReady,
        };
        var counts = $"{endpoints.Ready.ToString(CultureInfo.InvariantCulture)} ready, {endpoints.NotReady.ToString(CultureInfo.InvariantCulture)} not ready endpoints";
        if (endpoints.Ready < minReady)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Service {ns}/{service} has {counts}, fewer ready than the minimum of {minReady.ToString(CultureInfo.InvariantCulture)}.", data: data);
        }

        return endpoints.NotReady > 0
            ? HealthCheckResult.Degraded($"Service {ns}/{service} has {counts}.", data: data)
            : HealthCheckResult.Healthy($"Service {ns}/{service} has {counts}.", data);
    }
}
