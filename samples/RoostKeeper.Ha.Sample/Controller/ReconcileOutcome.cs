using RoostKeeper.Ha.Diagnostics;

namespace RoostKeeper.Ha.Sample.Controller;

/// <summary>How the reconcile of one ManagedRoost ended, with what it did or why it failed.</summary>
internal sealed record ReconcileOutcome(string Roost, ReconcileResult Result, string Detail);
