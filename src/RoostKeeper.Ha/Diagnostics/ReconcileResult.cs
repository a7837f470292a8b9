namespace RoostKeeper.Ha.Diagnostics;

/// <summary>How one reconcile of the user's controller ended, as <see cref="ReconcileRecorder"/> records it.</summary>
public enum ReconcileResult
{
    /// <summary>The object reached its desired state. Counts as a success in <c>roost_keeper:reconcile_success_ratio</c>.</summary>
    Success,

    /// <summary>The reconcile made progress but must run again (waiting on a dependency). Counts as neither success nor error.</summary>
    Requeue,

    /// <summary>The reconcile failed. Counts against <c>roost_keeper:reconcile_success_ratio</c>.</summary>
    Error,
}
