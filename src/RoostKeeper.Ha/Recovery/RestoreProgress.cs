namespace RoostKeeper.Ha.Recovery;

/// <summary>Progress of a restore.</summary>
/// <param name="Phase"><see cref="RestorePhase.Validating"/> while the backup is checked, then the phase whose objects are being restored.</param>
/// <param name="Objects">Objects handled so far.</param>
/// <param name="Total">Objects in the backup.</param>
/// <param name="Failed">Objects that failed so far.</param>
public sealed record RestoreProgress(RestorePhase Phase, long Objects, long Total, long Failed);
