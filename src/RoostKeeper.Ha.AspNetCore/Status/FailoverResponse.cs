namespace RoostKeeper.Ha.AspNetCore.Status;

/// <summary>The answer to a hand-over: who handed over, and to whom (null: whoever is first).</summary>
internal sealed record FailoverResponse(string HandedOverBy, string? PreferredSuccessor);
