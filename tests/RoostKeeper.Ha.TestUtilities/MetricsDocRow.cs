namespace RoostKeeper.Ha.TestUtilities;

/// <summary>One instrument as docs/metrics.md lists it; <see cref="LabelKeys"/> sorted.</summary>
public sealed record MetricsDocRow(string Name, string Type, string Unit, IReadOnlyList<string> LabelKeys, string Constant);
