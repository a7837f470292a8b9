using System.Text.RegularExpressions;
using k8s.Models;

namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>
/// The checks before an update: the Deployment exists, is not paused and has completed its current rollout with every
/// replica available; each container named exists and each image reference is well formed; the strategy keeps
/// availability; no PodDisruptionBudget would be broken. Pure apart from the budgets, which the caller reads.
/// </summary>
internal static partial class UpdateValidator
{
    /// <summary>
    /// The effective strategy of an update that passed (in pods), with what the caller should know; what to write to the
    /// Deployment (<see cref="Surge"/>, <see cref="Unavailable"/>: as the user gave them, percentages kept, so they keep
    /// their meaning after a later scale; pod counts only when lowered for a PodDisruptionBudget); and the Deployment's
    /// own strategy, put back after an update that lowered it (<see cref="LoweredForBudget"/>).
    /// </summary>
    public sealed record Plan(RollingUpdateValidation Validation, int MaxSurge, int MaxUnavailable)
    {
        public IntOrString Surge { get; init; } = MaxSurge;

        public IntOrString Unavailable { get; init; } = MaxUnavailable;

        public bool LoweredForBudget { get; init; }

        public V1RollingUpdateDeployment? Own { get; init; }
    }

    public static Plan Validate(
        string ns, string name, V1Deployment? deployment, IReadOnlyList<V1ReplicaSet> replicaSets, IReadOnlyDictionary<string, string> images,
        RollingUpdateOptions options, IReadOnlyList<DisruptionBudgets.Budget> budgets)
    {
        var problems = new List<string>();
        var warnings = new List<string>();
        if (deployment is null)
        {
            problems.Add($"Deployment {ns}/{name} was not found.");
            return new Plan(new RollingUpdateValidation { Problems = problems, Warnings = warnings }, 0, 0);
        }

        var replicas = deployment.Spec.Replicas ?? 1;
        if (images.Count == 0)
        {
            problems.Add("No image to set: name at least one container and its new image.");
        }

        var containers = (deployment.Spec.Template?.Spec?.Containers ?? []).Concat(deployment.Spec.Template?.Spec?.InitContainers ?? []).ToList();
        foreach (var (container, image) in images)
        {
            if (!containers.Any(c => c.Name == container))
            {
                problems.Add($"The pod template has no container \"{container}\" (it has: {string.Join(", ", containers.Select(c => c.Name))}).");
            }

            if (!IsWellFormedImage(image))
            {
                problems.Add($"\"{image}\" is not a well-formed image reference (expected [registry/]name[:tag][@sha256:digest], lower-case name).");
            }
        }

        if (deployment.Spec.Paused == true)
        {
            problems.Add($"Deployment {ns}/{name} is paused; resume it (kubectl rollout resume deployment/{name} -n {ns}) and try again.");
        }

        var report = RolloutStatusEvaluator.Evaluate(deployment, replicaSets);
        if (report.State != RolloutState.Complete || report.Available < replicas)
        {
            problems.Add($"Deployment {ns}/{name} is not healthy now ({report.Message.TrimEnd('.')}; {report.Available} of {replicas} available): "
                + "let its current rollout finish, or undo it, before updating.");
        }

        if (deployment.Spec.Strategy?.Type == "Recreate")
        {
            problems.Add($"Deployment {ns}/{name} uses the Recreate strategy, which stops every pod before starting new ones; switch it to RollingUpdate for a zero-downtime update.");
        }

        var surgeValue = options.MaxSurge ?? deployment.Spec.Strategy?.RollingUpdate?.MaxSurge;
        var unavailableValue = options.MaxUnavailable ?? deployment.Spec.Strategy?.RollingUpdate?.MaxUnavailable;
        if (Fenceposts.Parse(surgeValue ?? "25%") is { Value: 0 } && Fenceposts.Parse(unavailableValue ?? "25%") is { Value: 0 })
        {
            problems.Add("maxSurge and maxUnavailable are both 0, so the rollout could never move: allow a surge of at least 1.");
        }

        var (maxSurge, maxUnavailable) = Fenceposts.Resolve(surgeValue, unavailableValue, replicas);
        var lowered = false;
        if (replicas > 0 && replicas - maxUnavailable < 1)
        {
            problems.Add($"maxUnavailable {maxUnavailable} of {replicas} replica(s) could leave no pod available: set MaxUnavailable below {replicas} (0 with MaxSurge 1 for a single replica).");
        }

        foreach (var budget in budgets)
        {
            if (maxUnavailable <= budget.AllowedDisruptions)
            {
                continue;
            }

            if (options.LowerMaxUnavailableForDisruptionBudgets)
            {
                maxUnavailable = budget.AllowedDisruptions;
                maxSurge = Math.Max(maxSurge, 1);
                lowered = true;
                warnings.Add($"{budget.Describe()}: the update runs with maxUnavailable {maxUnavailable} and maxSurge {maxSurge} so it never breaks the budget.");
            }
            else
            {
                problems.Add($"{budget.Describe()}, but the update's maxUnavailable is {maxUnavailable}: wait until more pods are healthy, relax the budget, or lower MaxUnavailable to {budget.AllowedDisruptions}.");
            }
        }

        var noChange = images.Count > 0 && images.All(p => containers.FirstOrDefault(c => c.Name == p.Key)?.Image == p.Value);
        var validation = new RollingUpdateValidation
        {
            Problems = problems,
            Warnings = warnings,
            CurrentRevision = RolloutStatusEvaluator.Revision(deployment.Metadata),
            Replicas = replicas,
            MaxSurge = maxSurge,
            MaxUnavailable = maxUnavailable,
            IsNoChange = noChange,
        };
        return new Plan(validation, maxSurge, maxUnavailable)
        {
            Surge = lowered ? maxSurge : Given(surgeValue),
            Unavailable = lowered ? maxUnavailable : Given(unavailableValue),
            LoweredForBudget = lowered,
            Own = deployment.Spec.Strategy?.RollingUpdate,
        };
    }

    /// <summary>A value as the user (or the Deployment) gave it: a count as a number, a percentage as its text; unset is Kubernetes' default, 25%.</summary>
    private static IntOrString Given(IntOrString? value) =>
        Fenceposts.Parse(value) is { IsPercent: false } count ? count.Value : value?.Value is { Length: > 0 } text ? text : "25%";

    /// <summary>The reference grammar of distribution/reference: [domain[:port]/]path[:tag][@algorithm:hex].</summary>
    public static bool IsWellFormedImage(string? image) =>
        !string.IsNullOrEmpty(image) && image.Length <= 4096 && ImageReference().IsMatch(image) && NameLength(image) <= 255;

    private static int NameLength(string image)
    {
        var end = image.IndexOf('@', StringComparison.Ordinal);
        var name = end < 0 ? image : image[..end];
        var slash = name.LastIndexOf('/');
        var colon = name.LastIndexOf(':');
        return colon > slash ? colon : name.Length;
    }

    [GeneratedRegex(
        @"^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?|\[[0-9a-fA-F:]+\](?::[0-9]+)?)/)?"
        + @"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
        + @"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"
        + @"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$",
        RegexOptions.CultureInvariant)]
    private static partial Regex ImageReference();
}
