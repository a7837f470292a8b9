namespace RoostKeeper.Ha.Recovery;

/// <summary>Progress of a restore.</summary>
/// <param name="Phase">"validate" while the backup is checked, then "restore".</param>
/// <param name="Objects">Objects handled so far.</param>
/// <param name="Total">Objects in the backup.</param>
/// <param name="Failed">Objects that failed so far.</param>
public sealed record RestoreProgress(string Phase, long Objects, long Total, long Failed);
