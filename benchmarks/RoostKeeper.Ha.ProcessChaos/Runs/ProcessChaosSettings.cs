using RoostKeeper.Ha.ProcessChaos.Faults;
using RoostKeeper.Ha.ProcessChaos.Replica;

namespace RoostKeeper.Ha.ProcessChaos.Runs;

/// <summary>One campaign's settings: short lease timings so that a run of real processes takes seconds.</summary>
internal sealed record ProcessChaosSettings
{
    public static ProcessChaosSettings Default { get; } = new();

    public int Replicas { get; init; } = 3;

    public int Runs { get; init; } = 20;

    public int Seed { get; init; } = 1;

    public int Concurrency { get; init; } = 2;

    public int FaultsPerRun { get; init; } = 3;

    public WriteMode Mode { get; init; } = WriteMode.Fenced;

    /// <summary>The controller's objects (ConfigMaps obj-0 … obj-N-1).</summary>
    public int Objects { get; init; } = 4;

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromMilliseconds(1200);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan StopLeadingTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The controller's work between its read and its write.</summary>
    public TimeSpan Think { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Added to the protocol's bound (LeaseDuration + RetryPeriod) for a loaded machine's scheduling; reported apart.</summary>
    public TimeSpan Slack { get; init; } = TimeSpan.FromSeconds(2);

    public IReadOnlyList<FaultKind>? Kinds { get; init; }

    public TimeSpan LeaderBound => LeaseDuration + RetryPeriod;
}
