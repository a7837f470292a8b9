using k8s;
using k8s.Models;

namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>
/// How many of a Deployment's pods its PodDisruptionBudgets allow to be unavailable right now. A rolling update does
/// not go through the eviction API, so Kubernetes never checks a budget against maxUnavailable; this does, with the
/// disruption controller's arithmetic (minAvailable, or expected pods − maxUnavailable, percentages rounded up,
/// against the ready pods the budget selects), computed here rather than read from the budget's status so that it
/// is current.
/// </summary>
internal static class DisruptionBudgets
{
    /// <summary>One budget that selects the Deployment's pods.</summary>
    public sealed record Budget(string Name, int Expected, int Healthy, int DesiredHealthy)
    {
        public int AllowedDisruptions => Math.Max(0, Healthy - DesiredHealthy);

        public string Describe() =>
            $"PodDisruptionBudget {Name} needs {DesiredHealthy} of {Expected} pods healthy and {Healthy} are, so it allows {AllowedDisruptions} disruption(s)";
    }

    public static async Task<IReadOnlyList<Budget>> ReadAsync(RolloutApi api, V1Deployment deployment, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var ns = deployment.Metadata.NamespaceProperty;
        var labels = deployment.Spec.Template?.Metadata?.Labels;
        var budgets = await api.CallAsync("list pod disruption budgets", ct => api.Kubernetes.PolicyV1.ListNamespacedPodDisruptionBudgetAsync(ns, cancellationToken: ct), deadline, cancellationToken).ConfigureAwait(false);
        var result = new List<Budget>();
        foreach (var pdb in budgets.Items.Where(b => LabelSelectors.Matches(b.Spec?.Selector, labels)))
        {
            var selector = LabelSelectors.ToQuery(pdb.Spec.Selector);
            var pods = await api.CallAsync("list pods of pod disruption budget", ct => api.Kubernetes.CoreV1.ListNamespacedPodAsync(ns, labelSelector: selector, cancellationToken: ct), deadline, cancellationToken).ConfigureAwait(false);
            var live = pods.Items.Where(p => p.Metadata.DeletionTimestamp is null && p.Status?.Phase is not ("Succeeded" or "Failed")).ToList();
            result.Add(Evaluate(pdb, live.Count, live.Count(PodFailureDetector.IsReady)));
        }

        return result;
    }

    /// <summary>The disruption controller's arithmetic for one budget.</summary>
    public static Budget Evaluate(V1PodDisruptionBudget pdb, int expected, int healthy)
    {
        int desired;
        if (pdb.Spec?.MinAvailable is { } minAvailable)
        {
            desired = Fenceposts.Scale(minAvailable, expected, roundUp: true);
        }
        else if (pdb.Spec?.MaxUnavailable is { } maxUnavailable)
        {
            desired = Math.Max(0, expected - Fenceposts.Scale(maxUnavailable, expected, roundUp: true));
        }
        else
        {
            // Neither set: the budget requires nothing (the disruption controller's desiredHealthy stays 0).
            desired = 0;
        }

        return new Budget(pdb.Metadata?.Name ?? "", expected, healthy, desired);
    }
}
