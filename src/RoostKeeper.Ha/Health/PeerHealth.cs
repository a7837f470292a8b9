using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RoostKeeper.Ha.Health;

/// <summary>Another replica's published health: fresh when renewed within its validity.</summary>
internal sealed record PeerHealth(string Identity, HealthStatus Status, DateTimeOffset RenewedAt, bool Fresh);
