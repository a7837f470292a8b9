using System.Net;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Sharding;

namespace RoostKeeper.Ha.Tests.Sharding;

/// <summary>The leader deletes the membership Leases of replicas long gone, and only those (fake clock, in-memory Leases).</summary>
public sealed class StaleMemberTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    // 20 LeaseDurations of the harness (15 s) is 5 minutes, the floor: both rules give the same figure here.
    private static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(5);

    private static async Task<(ShardHarness Harness, ShardHarness.Replica Leader, ShardHarness.Replica Survivor, ShardHarness.Replica Victim)> CrashOneAsync(string prefix)
    {
        var harness = new ShardHarness { Log = true };
        var replicas = new[] { harness.Start($"{prefix}-a"), harness.Start($"{prefix}-b"), harness.Start($"{prefix}-c") };
        Assert.True(await harness.RunUntilAsync(() => harness.Balanced(replicas), Minute), "three replicas did not balance");
        var leader = replicas.Single(r => r.IsLeader);
        Assert.Equal(StaleAfter, leader.Coordinator.MemberStaleAfter);
        var victim = replicas.First(r => !r.IsLeader);
        var survivor = replicas.Single(r => r != leader && r != victim);
        await victim.KillAsync();
        Assert.True(await harness.RunUntilAsync(() => harness.Balanced(leader, survivor), Minute), "the survivors did not take the victim's shards");
        return (harness, leader, survivor, victim);
    }

    private static List<string> Members(ShardHarness harness) =>
        harness.Replicas.Select(r => MemberLease(harness, r)).Where(name => harness.Leases.Get(name) is not null).ToList();

    private static string MemberLease(ShardHarness harness, ShardHarness.Replica replica) => ShardKeys.MemberLeaseName(harness.TableName, replica.Name);

    [Fact]
    public async Task A_crashed_replicas_membership_lease_is_deleted_by_the_leader_once_unchanged_for_five_minutes_and_no_other_is()
    {
        var (harness, leader, survivor, victim) = await CrashOneAsync("gc");
        await using var _ = harness;
        var crashedAt = harness.Now;
        var others = Members(harness).Where(m => m != MemberLease(harness, victim)).ToList();

        // Not before: a replica that restarts or is cut off for a while keeps its record.
        await harness.RunUntilAsync(() => false, StaleAfter - TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500));
        Assert.NotNull(harness.Leases.Get(MemberLease(harness, victim)));

        // Then within one collection period (StaleAfter / 5) after its last change.
        Assert.True(await harness.RunUntilAsync(() => harness.Leases.Get(MemberLease(harness, victim)) is null, 2 * Minute, TimeSpan.FromMilliseconds(500)), "the crashed replica's membership Lease was never deleted");
        Assert.InRange(harness.Now - crashedAt, StaleAfter - harness.LeaseDuration, StaleAfter + StaleAfter / 5 + harness.RetryPeriod);

        // The survivor renews its own; the leader's, if it has one (not renewed while it leads), is not collected by itself.
        Assert.Contains(MemberLease(harness, survivor), others);
        Assert.Equal(others, Members(harness));
        Assert.True(harness.Balanced(leader, survivor));
        Assert.Contains(harness.Timeline, l => l.Contains($"deleted membership Lease {MemberLease(harness, victim)} of {victim.Name}", StringComparison.Ordinal));
        Assert.Empty(harness.Recorder.Overlaps());
    }

    [Fact]
    public async Task A_delete_refused_as_a_conflict_or_for_lack_of_permission_keeps_the_lease_until_the_next_collection()
    {
        var (harness, leader, survivor, victim) = await CrashOneAsync("gc-refused");
        await using var _ = harness;

        // At steady state the leader writes nothing to the shard Leases, so its next writes are the collection's deletes.
        leader.ShardClient.FailNextWrites(new LeaseConflictException("renewed since the list"));
        var writes = leader.ShardClient.Writes;
        Assert.True(await harness.RunUntilAsync(() => leader.ShardClient.Writes > writes, StaleAfter + 2 * Minute, TimeSpan.FromMilliseconds(500)), "no collection was attempted");
        var firstAttempt = harness.Now;
        Assert.NotNull(harness.Leases.Get(MemberLease(harness, victim)));

        leader.ShardClient.FailNextWrites(InMemoryShardLeases.Client.ServerError(HttpStatusCode.Forbidden));
        writes = leader.ShardClient.Writes;
        Assert.True(await harness.RunUntilAsync(() => leader.ShardClient.Writes > writes, 2 * Minute, TimeSpan.FromMilliseconds(500)), "no second collection was attempted");
        Assert.InRange(harness.Now - firstAttempt, StaleAfter / 5 - TimeSpan.FromSeconds(1), StaleAfter / 5 + harness.RetryPeriod);
        Assert.NotNull(harness.Leases.Get(MemberLease(harness, victim)));
        Assert.Contains(harness.Timeline, l => l.Contains($"delete of shard Lease {InMemoryShardLeases.Namespace}/{MemberLease(harness, victim)} by {leader.Name} failed", StringComparison.Ordinal));

        Assert.True(await harness.RunUntilAsync(() => harness.Leases.Get(MemberLease(harness, victim)) is null, 2 * Minute, TimeSpan.FromMilliseconds(500)), "the third collection did not delete it");
        Assert.NotNull(harness.Leases.Get(MemberLease(harness, survivor)));
        Assert.True(harness.Balanced(leader, survivor));
    }

    [Fact]
    public async Task A_replica_that_comes_back_after_its_lease_was_collected_creates_it_again_and_gets_its_share()
    {
        var harness = new ShardHarness { Log = true };
        await using var _ = harness;
        var replicas = new[] { harness.Start("gc-back-a"), harness.Start("gc-back-b"), harness.Start("gc-back-c") };
        Assert.True(await harness.RunUntilAsync(() => harness.Balanced(replicas), Minute), "three replicas did not balance");
        var leader = replicas.Single(r => r.IsLeader);
        var away = replicas.First(r => !r.IsLeader);

        // Cut off, not dead: its process runs on, and its guard stops its work.
        away.Partition();
        Assert.True(await harness.RunUntilAsync(() => harness.Leases.Get(MemberLease(harness, away)) is null, StaleAfter + 2 * Minute, TimeSpan.FromMilliseconds(500)), "the cut-off replica's Lease was not collected");
        Assert.Empty(away.Ownership.OwnedShards);

        away.ShardClient.Partitioned = false;
        away.ElectionClient.Partitioned = false;
        Assert.True(await harness.RunUntilAsync(() => harness.Balanced(replicas), Minute), "the replica that came back did not get its share");
        Assert.NotNull(harness.Leases.Get(MemberLease(harness, away)));
        Assert.Empty(harness.Recorder.Overlaps());
    }
}
