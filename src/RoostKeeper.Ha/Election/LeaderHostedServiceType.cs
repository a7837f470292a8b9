namespace RoostKeeper.Ha.Election;

/// <summary>Marks a type registered with <c>AddLeaderHostedService</c>.</summary>
internal sealed record LeaderHostedServiceType(Type Type);
