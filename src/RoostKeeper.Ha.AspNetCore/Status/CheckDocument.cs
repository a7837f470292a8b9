using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RoostKeeper.Ha.AspNetCore.Status;

/// <summary>One check in <see cref="HealthDocument"/>.</summary>
internal sealed record CheckDocument(HealthStatus Status, string? Description, double DurationMs, string? Error, IReadOnlyList<string> Tags, IReadOnlyDictionary<string, string?> Data);
