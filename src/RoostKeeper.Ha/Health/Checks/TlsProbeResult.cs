namespace RoostKeeper.Ha.Health.Checks;

/// <summary>The certificate validity an endpoint presented, or why the handshake failed.</summary>
internal sealed record TlsProbeResult(DateTimeOffset? NotBefore, DateTimeOffset? NotAfter, string? Error);
