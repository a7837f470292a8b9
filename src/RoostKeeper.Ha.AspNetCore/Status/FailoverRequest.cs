namespace RoostKeeper.Ha.AspNetCore.Status;

/// <summary>The body of POST /failover; empty or absent for "whoever is first".</summary>
internal sealed record FailoverRequest(string? PreferredSuccessor);
