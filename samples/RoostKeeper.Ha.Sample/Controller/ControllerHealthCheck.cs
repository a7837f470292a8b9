using k8s;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace RoostKeeper.Ha.Sample.Controller;

/// <summary>
/// Can this replica's controller do its work? Unhealthy when the controller's own client cannot list
/// ManagedRoosts (the API is unreachable for it, or the CRD is missing); Degraded when the last resync on this
/// replica had an error. With <c>StepDownWhenUnhealthy</c>, a leader that still renews its Lease but cannot
/// reconcile hands over to a replica that can.
/// </summary>
internal sealed class ControllerHealthCheck(ControllerClient client, ControllerActivity activity, IOptions<ManagedRoostControllerOptions> options) : IHealthCheck
{
    public const string Name = "managedroost-controller";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.HealthCheckTimeout);
        try
        {
            await client.Kubernetes.CustomObjects.ListNamespacedCustomObjectAsync<ManagedRoostList>(
                ManagedRoost.Group, ManagedRoost.Version, settings.Namespace!, ManagedRoost.Plural, limit: 1, cancellationToken: timeout.Token);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The controller cannot list ManagedRoosts in {settings.Namespace}: {e.GetType().Name}: {e.Message}", e);
        }

        var data = new Dictionary<string, object> { ["resyncs"] = activity.Resyncs, ["leading"] = activity.Term is { } term ? $"{term.Holder} (term {term.Term})" : "no" };
        return activity.LastError is { } error
            ? HealthCheckResult.Degraded("The last resync had an error: " + error, data: data)
            : HealthCheckResult.Healthy("The controller can read ManagedRoosts", data);
    }
}
