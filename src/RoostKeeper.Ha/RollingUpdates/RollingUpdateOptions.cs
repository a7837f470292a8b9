using k8s;
using k8s.Models;

namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>
/// How a rolling update runs. Defaults come from the <c>RoostHa:RollingUpdates</c> configuration section and
/// <c>AddRollingUpdates(o => …)</c> when the manager is resolved from DI; a call can pass its own instance.
/// </summary>
public sealed class RollingUpdateOptions
{
    /// <summary>The configuration section the defaults bind from.</summary>
    public const string SectionName = "RoostHa:RollingUpdates";

    /// <summary>The kubernetes.io/change-cause annotation written with the new template (what <c>kubectl rollout history</c> shows).</summary>
    /// <value>Default null: "RoostKeeper.Ha: set image container=image[, …]".</value>
    public string? ChangeCause { get; set; }

    /// <summary>
    /// The maxUnavailable the update runs with, written to the Deployment's RollingUpdate strategy with the image.
    /// Null keeps the Deployment's own. Either way the update is refused if it could leave no pod available.
    /// </summary>
    /// <value>Default 1 (zero downtime: a new pod is ready before an old one goes). A count or a percentage such as "25%".</value>
    public IntOrString? MaxUnavailable { get; set; } = 1;

    /// <summary>The maxSurge the update runs with; null keeps the Deployment's own.</summary>
    /// <value>Default 1. A count or a percentage; maxSurge and maxUnavailable must not both be 0.</value>
    public IntOrString? MaxSurge { get; set; } = 1;

    /// <summary>Restarts of one new container that count as a crash loop (CrashLoopBackOff counts at once).</summary>
    /// <value>Default 3. At least 1.</value>
    public int MaxRestarts { get; set; } = 3;

    /// <summary>How long a new pod may run without becoming ready before the update fails, far below the progress deadline.</summary>
    /// <value>Default 2 minutes. Greater than zero.</value>
    public TimeSpan ReadinessTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The longest the rollout may take from the patch to complete and verified.</summary>
    /// <value>Default 10 minutes (kubectl's default progress deadline). Greater than zero.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The longest a rollback may take to be complete and available before the update is reported Failed.</summary>
    /// <value>Default 5 minutes. Greater than zero.</value>
    public TimeSpan RollbackTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the Deployment, its ReplicaSets and the new pods are read while the rollout runs.</summary>
    /// <value>Default 1 s. Between 10 ms and 1 minute.</value>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether a failure rolls back to the previous revision (else the update ends Failed or TimedOut, left as it is).</summary>
    /// <value>Default true.</value>
    public bool RollbackOnFailure { get; set; } = true;

    /// <summary>Whether cancelling the update rolls it back before the cancellation is thrown.</summary>
    /// <value>Default true.</value>
    public bool RollbackOnCancel { get; set; } = true;

    /// <summary>
    /// Canary mode: hold (pause the Deployment) after the first new pod is ready, run <see cref="Verify"/> with
    /// <see cref="VerificationStage.Canary"/>, then continue or roll back. The canary stage runs with maxSurge 1 and
    /// maxUnavailable 0, so no old pod goes before the canary is verified.
    /// </summary>
    /// <value>Default false.</value>
    public bool Canary { get; set; }

    /// <summary>
    /// The caller's verification, run at the canary hold and once the rollout is complete: return false (or throw) to
    /// roll back. Bounded by <see cref="VerificationTimeout"/>.
    /// </summary>
    /// <value>Default null: no verification beyond readiness.</value>
    public Func<RollingUpdateVerificationContext, CancellationToken, Task<bool>>? Verify { get; set; }

    /// <summary>How long one run of <see cref="Verify"/> may take; a verification that runs longer fails.</summary>
    /// <value>Default 1 minute. Greater than zero.</value>
    public TimeSpan VerificationTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Runs after the ConfigMaps and Secrets the pod template references are snapshotted and before the new template
    /// is applied: change configuration here, and a rollback restores it with the template.
    /// </summary>
    /// <value>Default null.</value>
    public Func<IKubernetes, CancellationToken, Task>? BeforeUpdate { get; set; }

    /// <summary>Whether the ConfigMaps and Secrets the pod template references are snapshotted and restored on rollback.</summary>
    /// <value>Default true.</value>
    public bool RestoreConfigurationOnRollback { get; set; } = true;

    /// <summary>
    /// When a PodDisruptionBudget allows fewer disruptions than maxUnavailable: true runs the update with maxUnavailable
    /// lowered to what the budgets allow (surging instead); false waits up to <see cref="DisruptionBudgetWait"/> for the
    /// budget to allow it, then refuses the update naming the budget.
    /// </summary>
    /// <value>Default true.</value>
    public bool LowerMaxUnavailableForDisruptionBudgets { get; set; } = true;

    /// <summary>How long to wait for a PodDisruptionBudget at its limit when <see cref="LowerMaxUnavailableForDisruptionBudgets"/> is false.</summary>
    /// <value>Default zero: refuse at once. Not negative.</value>
    public TimeSpan DisruptionBudgetWait { get; set; } = TimeSpan.Zero;

    /// <summary>A copy, so a caller's later changes do not reach an update in progress.</summary>
    internal RollingUpdateOptions Clone() => (RollingUpdateOptions)MemberwiseClone();
}
