using RoostKeeper.Ha.Election;

namespace RoostKeeper.Ha.Election;

/// <summary>A callback registered through the builder, attached to the <c>HaManager</c> when DI creates it.</summary>
internal sealed class LeadershipCallbackRegistration
{
    public Func<Leadership, CancellationToken, Task>? Started { get; init; }

    public Action? Stopped { get; init; }

    public Action<string>? NewLeader { get; init; }
}
