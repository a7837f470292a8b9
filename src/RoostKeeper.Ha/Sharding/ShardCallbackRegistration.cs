namespace RoostKeeper.Ha.Sharding;

/// <summary>A callback added through the builder (OnShardAcquired, OnShardReleased, AddShardedHostedService), collected when the coordinator is built.</summary>
internal sealed class ShardCallbackRegistration
{
    public string Name { get; init; } = "OnShardAcquired";

    public Func<OwnedShard, CancellationToken, Task>? Acquired { get; init; }

    public Action<OwnedShard>? Released { get; init; }
}
