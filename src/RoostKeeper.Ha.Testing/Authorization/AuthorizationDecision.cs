namespace RoostKeeper.Ha.Testing.Authorization;

/// <summary>An authorizer's answer: allowed or not, and why (empty when there is nothing to say).</summary>
internal readonly record struct AuthorizationDecision(bool Allowed, string Reason);
