using System.Diagnostics;
using System.Globalization;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using RoostKeeper.Ha.Sample.Controller;
using RoostKeeper.Ha.Sample.Hosting;
using RoostKeeper.Ha.Sharding;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Sample.Walkthrough;

/// <summary>
/// The shards step: three more replicas in sharded mode (<c>AddShardedLeadership</c>) on a namespace of their own,
/// every one reconciling the roosts of its shards; one crashes, its shards move to the others within the lease
/// limit, and the others keep reconciling throughout.
/// </summary>
internal sealed partial class WalkthroughRunner
{
    public const string ShardsStep = "shards";
    public const string ShardNamespace = "roost-shards";
    public const int ShardCount = 16;
    public static readonly string[] ShardReplicaNames = ["shard-a", "shard-b", "shard-c"];
    private const int ShardRoostCount = 24;
    private static readonly string[] Species = ["robin", "wren", "kestrel", "heron", "finch", "swift", "plover", "lark"];

    private readonly List<SampleReplica> _shardReplicas = [];
    private readonly ShardOwnershipRecorder _shardWork = new();

    private static IShardOwnership Ownership(SampleReplica replica) => replica.Services.GetRequiredService<IShardOwnership>();

    private static ControllerActivity Activity(SampleReplica replica) => replica.Services.GetRequiredService<ControllerActivity>();

    private ReplicaSettings ShardSettingsFor(string name) => SettingsFor(name) with
    {
        Namespace = ShardNamespace,
        Sharded = true,
        ConfigureSharding = o => o.Shards = ShardCount,
        ShardWork = _shardWork,
    };

    private async Task<string> ShardsAsync(CancellationToken cancellationToken)
    {
        // 1. A namespace of its own (the two modes stamp with terms of different Leases), roosts, three replicas.
        await Admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ShardNamespace } }, cancellationToken: cancellationToken);
        for (var i = 0; i < ShardRoostCount; i++)
        {
            var species = Species[i % Species.Length];
            await Admin.CustomObjects.CreateNamespacedCustomObjectAsync(ManagedRoost.Create(string.Create(CultureInfo.InvariantCulture, $"{species}-{i:00}"), species, 1 + (i % 5)),
                ManagedRoost.Group, ManagedRoost.Version, ShardNamespace, ManagedRoost.Plural, cancellationToken: cancellationToken);
        }

        foreach (var name in ShardReplicaNames)
        {
            var replica = new SampleReplica(name, () => ShardSettingsFor(name));
            _shardReplicas.Add(replica);
            await replica.StartAsync(cancellationToken);
        }

        _timeline.Say($"{string.Join(", ", ShardReplicaNames)} started in sharded mode ({ShardCount} shards, ManagedRoost:Sharded) on namespace {ShardNamespace} with {ShardRoostCount} roosts");
        try
        {
            return await ShardsStoryAsync(cancellationToken);
        }
        finally
        {
            foreach (var replica in _shardReplicas)
            {
                Cluster.Faults.Heal(replica.Name);
                Cluster.Faults.Heal(replica.ControllerClientName);
                await replica.StopAsync();
            }

            _timeline.Say($"stopped {string.Join(", ", ShardReplicaNames)}");
        }
    }

    private async Task<string> ShardsStoryAsync(CancellationToken cancellationToken)
    {
        await WaitUntilAsync(() => Balanced(_shardReplicas), $"the {ShardCount} shards spread over {_shardReplicas.Count} replicas", Patience, cancellationToken);
        await WaitForShardedRoostsAsync(_shardReplicas, cancellationToken);
        _timeline.Check($"shard map: {MapText(_shardReplicas)}; every roost Ready, written by the owner of its shard in that shard's term");
        if (_shardReplicas.FirstOrDefault(r => r.IsLeader) is { } assigner)
        {
            _timeline.Say($"{assigner.Name} leads the election of {ShardNamespace}: it assigns the shards (targets by rendezvous hashing); each replica takes and gives up its own");
        }


        // 2. Crash one that is not the election leader (the leader's crash adds an election first; the bound is the same).
        var victim = _shardReplicas.FirstOrDefault(r => !r.IsLeader) ?? _shardReplicas[0];
        var survivors = _shardReplicas.Where(r => r != victim).ToList();
        var moving = Ownership(victim).OwnedShards.Select(s => s.Shard).ToHashSet();
        var keysMoving = (await RoostsIn(ShardNamespace, cancellationToken)).Count(r => moving.Contains(Ownership(victim).ShardOf(ShardedRoostController.KeyOf(ShardNamespace, r.Metadata.Name))));
        var before = survivors.ToDictionary(r => r.Name, r => Activity(r).Reconciled);
        Cluster.Faults.Partition(victim.Name);
        Cluster.Faults.Partition(victim.ControllerClientName);
        var crash = Stopwatch.StartNew();
        _timeline.Say($"cut {victim.Name} off from the API server: its shards {string.Join(' ', moving.Order())} ({keysMoving} of {ShardRoostCount} roosts) must move");

        // Poll the survivors' own view: when each moving shard is held by one of them, and the longest pause in their reconciling.
        var movedAt = new Dictionary<int, TimeSpan>();
        var lastProgress = survivors.ToDictionary(r => r.Name, _ => (Count: 0L, At: TimeSpan.Zero));
        var longestGap = TimeSpan.Zero;
        await WaitUntilAsync(
            () =>
            {
                var now = crash.Elapsed;
                foreach (var survivor in survivors)
                {
                    foreach (var shard in Ownership(survivor).OwnedShards.Where(s => moving.Contains(s.Shard)))
                    {
                        movedAt.TryAdd(shard.Shard, now);
                    }

                    var count = Activity(survivor).Reconciled;
                    var last = lastProgress[survivor.Name];
                    if (count != last.Count)
                    {
                        longestGap = TimeSpan.FromTicks(Math.Max(longestGap.Ticks, (now - last.At).Ticks));
                        lastProgress[survivor.Name] = (count, now);
                    }
                }

                return movedAt.Count == moving.Count;
            },
            $"{victim.Name}'s shards to move to {string.Join(" and ", survivors.Select(s => s.Name))}", Patience, cancellationToken);
        var moved = movedAt.Values.Max();
        var bound = LeaseDuration + RetryPeriod;
        var during = survivors.ToDictionary(r => r.Name, r => Activity(r).Reconciled - before[r.Name]);
        Expect(during.Values.All(c => c > 0), $"A surviving replica reconciled nothing while {victim.Name}'s shards moved: {Counts(during)}.");
        _timeline.Check($"{victim.Name}'s {moving.Count} shards moved in {Timeline.Seconds(moved)} (first {Timeline.Seconds(movedAt.Values.Min())}); LeaseDuration + RetryPeriod = {Timeline.Seconds(bound)}: {(moved <= bound ? "within" : "over, on this loaded machine")}");
        _timeline.Check($"meanwhile the others kept reconciling: {Counts(during)} reconciles, longest pause {Timeline.Ms(longestGap)} (resync every 250 ms); {keysMoving} of {ShardRoostCount} roosts had no owner, at most for {Timeline.Seconds(moved)}");

        await WaitUntilAsync(() => Balanced(survivors), $"the {ShardCount} shards spread over {string.Join(" and ", survivors.Select(s => s.Name))}", Patience, cancellationToken);
        await WaitForShardedRoostsAsync(survivors, cancellationToken);
        _timeline.Check($"shard map: {MapText(survivors)}; every roost Ready, the moved ones re-written by their new owners");

        // 3. It comes back: shards are handed back to it gracefully (no lease to wait for).
        var healed = Stopwatch.StartNew();
        Cluster.Faults.Heal(victim.Name);
        Cluster.Faults.Heal(victim.ControllerClientName);
        await WaitUntilAsync(() => Balanced(_shardReplicas), $"{victim.Name} to get its share back", Patience, cancellationToken);
        var rebalance = healed.Elapsed;
        await WaitForShardedRoostsAsync(_shardReplicas, cancellationToken);
        _timeline.Check($"healed: {victim.Name} got its share back in {Timeline.Seconds(rebalance)} (hand-off, no lease wait); shard map: {MapText(_shardReplicas)}; every roost Ready");
        var overlaps = _shardWork.Overlaps();
        Expect(overlaps.Count == 0, $"A shard was reconciled by two replicas at once: {string.Join("; ", overlaps.Take(3))}.");
        _timeline.Check($"no shard was reconciled by two replicas at once: {_shardWork.Intervals.Count} reconciles recorded with their shard and replica (ShardOwnershipRecorder), 0 overlaps");
        return $"{moving.Count} shards of {victim.Name} moved in {Timeline.Seconds(moved)} (bound {Timeline.Seconds(bound)}); others reconciled {during.Values.Sum()} meanwhile";
    }

    /// <summary>Every shard is held by exactly one of <paramref name="replicas"/>, each holding ⌊N/R⌋ or ⌈N/R⌉.</summary>
    private static bool Balanced(IReadOnlyList<SampleReplica> replicas)
    {
        var owned = replicas.Select(r => Ownership(r).OwnedShards.Select(s => s.Shard).ToList()).ToList();
        var all = owned.SelectMany(o => o).ToList();
        return all.Count == ShardCount && all.Distinct().Count() == ShardCount
            && owned.All(o => o.Count == ShardCount / replicas.Count || o.Count == (ShardCount + replicas.Count - 1) / replicas.Count);
    }

    private static string MapText(IEnumerable<SampleReplica> replicas) =>
        string.Join(" | ", replicas.Select(r => $"{r.Name} owns {string.Join(' ', Ownership(r).OwnedShards.Select(s => s.Shard))}"));

    private static string Counts(Dictionary<string, long> counts) => string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"));

    private async Task<IList<ManagedRoost>> RoostsIn(string @namespace, CancellationToken cancellationToken) =>
        (await Admin.CustomObjects.ListNamespacedCustomObjectAsync<ManagedRoostList>(ManagedRoost.Group, ManagedRoost.Version, @namespace, ManagedRoost.Plural, cancellationToken: cancellationToken)).Items;

    /// <summary>Waits until every roost is Ready, its status written by the replica that owns its shard, in that shard's term.</summary>
    private async Task WaitForShardedRoostsAsync(IReadOnlyList<SampleReplica> owners, CancellationToken cancellationToken)
    {
        await WaitUntilAsync(
            async () =>
            {
                var roosts = await RoostsIn(ShardNamespace, cancellationToken);
                var maps = (await Admin.CoreV1.ListNamespacedConfigMapAsync(ShardNamespace, cancellationToken: cancellationToken)).Items.Select(m => m.Metadata.Name).ToHashSet();
                return roosts.Count == ShardRoostCount && roosts.All(r =>
                {
                    var shard = Ownership(owners[0]).ShardOf(ShardedRoostController.KeyOf(ShardNamespace, r.Metadata.Name));
                    var holder = owners.Select(o => Ownership(o).Find(shard)).FirstOrDefault(s => s is not null);
                    return holder is not null && r.Status is { Phase: "Ready" } s && s.Leader == holder.Identity && s.Term == holder.Term
                        && maps.Contains(ManagedRoostReconciler.ConfigMapName(r.Metadata.Name));
                });
            },
            $"{ShardRoostCount} roosts in {ShardNamespace} Ready, each written by the owner of its shard", Patience, cancellationToken);
    }
}
