using k8s.Models;

namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>
/// Reads the new ReplicaSet's pods for the failures that <c>kubectl rollout status</c> only warns about while it
/// waits out the progress deadline: a crash loop (CrashLoopBackOff, or restarts reaching a bound), an image that
/// cannot be pulled or a container that cannot be created, a pod that failed outright, and readiness that has not
/// come within a bound of its own. Pure, like <see cref="RolloutStatusEvaluator"/>.
/// </summary>
internal static class PodFailureDetector
{
    /// <summary>Waiting reasons that mean the image will not run as written: retrying does not fix them.</summary>
    private static readonly HashSet<string> ImageReasons = new(StringComparer.Ordinal)
    {
        "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull", "CreateContainerConfigError", "CreateContainerError",
    };

    /// <summary>The first failure among <paramref name="pods"/>, or null when none has failed yet.</summary>
    /// <param name="pods">The new ReplicaSet's pods.</param>
    /// <param name="age">How long each pod has been seen running by the caller (measured on the caller's clock, not the pod's timestamps).</param>
    /// <param name="maxRestarts">Restarts of one container that count as a crash loop.</param>
    /// <param name="readinessTimeout">How long a running pod may stay unready.</param>
    public static PodFailure? Detect(IEnumerable<V1Pod> pods, Func<V1Pod, TimeSpan> age, int maxRestarts, TimeSpan readinessTimeout)
    {
        ArgumentNullException.ThrowIfNull(pods);
        ArgumentNullException.ThrowIfNull(age);
        PodFailure? notReady = null;
        foreach (var pod in pods)
        {
            if (pod.Metadata?.DeletionTimestamp is not null)
            {
                continue;
            }

            var name = pod.Metadata?.Name ?? "";
            if (pod.Status?.Phase == "Failed")
            {
                return new PodFailure(RollingUpdateFailureKind.PodFailed, name, null, $"pod {name} failed: {pod.Status.Reason} {pod.Status.Message}".TrimEnd());
            }

            foreach (var container in (pod.Status?.InitContainerStatuses ?? []).Concat(pod.Status?.ContainerStatuses ?? []))
            {
                var waiting = container.State?.Waiting;
                if (waiting?.Reason is { } reason && ImageReasons.Contains(reason))
                {
                    return new PodFailure(RollingUpdateFailureKind.ImagePullError, name, container.Name,
                        $"container {container.Name} of pod {name} cannot start: {reason}{Detail(waiting.Message)} (image {container.Image})");
                }

                if (waiting?.Reason == "CrashLoopBackOff" || container.RestartCount >= maxRestarts)
                {
                    var exit = container.LastState?.Terminated is { } terminated ? $", last exit code {terminated.ExitCode} ({terminated.Reason})" : "";
                    return new PodFailure(RollingUpdateFailureKind.CrashLoop, name, container.Name,
                        $"container {container.Name} of pod {name} is crash-looping: {container.RestartCount} restarts{exit}{(waiting?.Reason is { } r ? ", " + r : "")}");
                }
            }

            if (notReady is null && !IsReady(pod) && age(pod) >= readinessTimeout)
            {
                var unready = (pod.Status?.ContainerStatuses ?? []).Where(c => !c.Ready).Select(c => c.Name);
                notReady = new PodFailure(RollingUpdateFailureKind.NeverReady, name, null,
                    $"pod {name} is not ready after {readinessTimeout.TotalSeconds:0.#} s (unready containers: {string.Join(", ", unready)})");
            }
        }

        // A crash or pull error on any pod outranks another pod's slow readiness: it names the cause.
        return notReady;
    }

    /// <summary>Whether the pod's Ready condition is True.</summary>
    public static bool IsReady(V1Pod pod) => pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    private static string Detail(string? message) => string.IsNullOrEmpty(message) ? "" : $" ({message})";
}
