namespace RoostKeeper.Ha.AspNetCore.Operations;

/// <summary>How far an operation is.</summary>
/// <param name="Phase">"queued", then the manager's phase: a resource type being read, "validate" or "restore".</param>
/// <param name="Objects">Objects handled so far.</param>
/// <param name="Total">Objects in all, when known.</param>
/// <param name="Failed">Objects that failed so far (restore).</param>
/// <param name="Bytes">Object bytes handled so far (backup and validation).</param>
internal sealed record OperationProgress(string Phase, long Objects, long? Total, long Failed, long Bytes);
