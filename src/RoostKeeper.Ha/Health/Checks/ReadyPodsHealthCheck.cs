using System.Globalization;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RoostKeeper.Ha.Health.Checks;

/// <summary>
/// At least <c>minReady</c> pods matching a label selector are Ready; some not ready is Degraded. With
/// <c>podName</c> set, this replica's own pod must be one of the ready ones: what makes a leader's health
/// differ from its followers' when its own pod fails.
/// </summary>
internal sealed class ReadyPodsHealthCheck(IKubernetes client, string ns, string selector, int minReady, string? podName) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var pods = (await KubernetesReads.For(client).ListPodsAsync(ns, selector, cancellationToken).ConfigureAwait(false)).Items
            .Where(p => p.Metadata?.DeletionTimestamp is null)
            .ToList();
        var ready = pods.Count(IsReady);
        var crashLooping = pods.Count(p => p.Status?.ContainerStatuses?.Any(c => c.State?.Waiting?.Reason == "CrashLoopBackOff") == true);
        var counts = $"{ready.ToString(CultureInfo.InvariantCulture)}/{pods.Count.ToString(CultureInfo.InvariantCulture)} pods ready";
        var data = new Dictionary<string, object>
        {
            ["ready"] = ready,
            ["total"] = pods.Count,
            ["minReady"] = minReady,
            ["crashLooping"] = crashLooping,
        };
        var crashes = crashLooping > 0 ? $", {crashLooping.ToString(CultureInfo.InvariantCulture)} crash-looping" : "";

        if (podName is not null)
        {
            var own = pods.FirstOrDefault(p => p.Metadata?.Name == podName);
            data["podReady"] = own is not null && IsReady(own);
            if (own is null || !IsReady(own))
            {
                var state = own is null ? "does not exist or does not match" : "is not ready";
                return new HealthCheckResult(context.Registration.FailureStatus, $"This replica's pod {ns}/{podName} {state} (\"{selector}\": {counts}{crashes}).", data: data);
            }
        }

        if (ready < minReady)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"\"{selector}\" in {ns}: {counts}{crashes}, fewer than the minimum of {minReady.ToString(CultureInfo.InvariantCulture)}.", data: data);
        }

        return ready < pods.Count
            ? HealthCheckResult.Degraded($"\"{selector}\" in {ns}: {counts}{crashes}.", data: data)
            : HealthCheckResult.Healthy($"\"{selector}\" in {ns}: {counts}.", data);
    }

    private static bool IsReady(V1Pod pod) =>
        pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;
}
