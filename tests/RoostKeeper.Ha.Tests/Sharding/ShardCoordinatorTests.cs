using System.Net;
using RoostKeeper.Ha.Sharding;

namespace RoostKeeper.Ha.Tests.Sharding;

/// <summary>The protocol on a fake clock: balance, hand-off, crashes, partitions, graceful leave. No overlap, ever.</summary>
public sealed class ShardCoordinatorTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private static async Task<(ShardHarness Harness, ShardHarness.Replica[] Replicas)> ThreeAsync()
    {
        var harness = new ShardHarness { Log = true };
        var replicas = new[] { harness.Start("a"), harness.Start("b"), harness.Start("c") };
        Assert.True(await harness.RunUntilAsync(() => harness.Balanced(replicas), Minute), "three replicas did not balance");
        return (harness, replicas);
    }

    private static Dictionary<int, (string? Holder, long Term)> Holders(ShardHarness harness) =>
        harness.Table()!.Entries.Select((e, s) => (s, e)).ToDictionary(x => x.s, x => (x.e.Holder, x.e.Term));

    [Fact]
    public async Task Three_replicas_hold_6_5_5_of_16_and_work_on_exactly_those()
    {
        var (harness, replicas) = await ThreeAsync();
        await using var _ = harness;

        Assert.Equal([5, 5, 6], replicas.Select(r => r.Ownership.OwnedShards.Count).Order());
        var working = harness.Recorder.CurrentHolders();
        Assert.Equal(16, working.Count);
        Assert.All(working, w => Assert.Equal(harness.Table()!.Entries[w.Key].Holder, Assert.Single(w.Value)));
        Assert.Equal(["a", "b", "c"], harness.Table()!.Members.ToArray());
        Assert.Empty(harness.Recorder.Overlaps());
    }

    [Fact]
    public async Task A_fourth_replica_takes_4_shards_by_hand_off_without_waiting_a_lease_duration()
    {
        var (harness, replicas) = await ThreeAsync();
        await using var _ = harness;
        var before = Holders(harness);

        var joinedAt = harness.Now;
        var d = harness.Start("d");
        Assert.True(await harness.RunUntilAsync(() => harness.Balanced([.. replicas, d]), Minute), "four replicas did not balance");

        var after = Holders(harness);
        var moved = before.Where(b => after[b.Key].Holder != b.Value.Holder).ToList();
        Assert.Equal(4, moved.Count);
        Assert.All(moved, m => Assert.Equal("d", after[m.Key].Holder));
        Assert.All(before.Where(b => after[b.Key].Holder == b.Value.Holder), b => Assert.Equal(b.Value.Term, after[b.Key].Term)); // the others never moved
        Assert.True(harness.Now - joinedAt < harness.LeaseDuration, $"the hand-off took {harness.Now - joinedAt}");
        Assert.All(replicas.Select(r => r.Ownership.OwnedShards.Count), c => Assert.Equal(4, c));
        Assert.Empty(harness.Recorder.Overlaps());
    }

    [Fact]
    public async Task A_crashed_replica_loses_only_its_shards_within_lease_duration_plus_retry_period()
    {
        var (harness, replicas) = await ThreeAsync();
        await using var _ = harness;
        var victim = replicas.First(r => !r.IsLeader);
        var survivors = replicas.Where(r => r != victim).ToArray();
        var before = Holders(harness);

        var crashedAt = harness.Now;
        await victim.KillAsync();
        Assert.True(await harness.RunUntilAsync(() => harness.Table()!.Entries.All(e => e.Holder is not null && e.Holder != victim.Name), Minute));

        Assert.True(harness.Now - crashedAt <= harness.LeaseDuration + harness.RetryPeriod, $"the victim's shards moved after {harness.Now - crashedAt}");
        var after = Holders(harness);
        Assert.All(before.Where(b => b.Value.Holder != victim.Name), b => Assert.Equal(b.Value, after[b.Key])); // nobody else's shard moved
        Assert.True(await harness.RunUntilAsync(() => harness.Balanced(survivors), Minute));
        Assert.Equal([8, 8], survivors.Select(r => r.Ownership.OwnedShards.Count));
        Assert.Empty(harness.Recorder.Overlaps());
    }

    [Fact]
    public async Task The_leaders_crash_moves_its_shards_within_the_same_bound()
    {
        var (harness, replicas) = await ThreeAsync();
        await using var _ = harness;
        var leader = replicas.Single(r => r.IsLeader);
        var survivors = replicas.Where(r => r != leader).ToArray();
        var before = Holders(harness);

        var crashedAt = harness.Now;
        await leader.KillAsync();
        Assert.True(await harness.RunUntilAsync(() => harness.Table()!.Entries.All(e => e.Holder is not null && e.Holder != leader.Name), Minute));

        Assert.True(harness.Now - crashedAt <= harness.LeaseDuration + harness.RetryPeriod, $"the leader's shards moved after {harness.Now - crashedAt} (crash at {crashedAt})\n" + string.Join("\n", harness.Timeline));
        Assert.Single(survivors, r => r.IsLeader);
        var after = Holders(harness);
        Assert.All(before.Where(b => b.Value.Holder != leader.Name), b => Assert.Equal(b.Value, after[b.Key]));
        Assert.True(await harness.RunUntilAsync(() => harness.Balanced(survivors), Minute));
        Assert.Empty(harness.Recorder.Overlaps());
    }

    [Fact]
    public async Task A_graceful_leave_hands_every_shard_over_before_the_replica_exits()
    {
        var (harness, replicas) = await ThreeAsync();
        await using var _ = harness;
        var leaving = replicas.First(r => !r.IsLeader);
        var staying = replicas.Where(r => r != leaving).ToArray();

        var leftAt = harness.Now;
        await leaving.StopAsync();
        var stoppedAt = harness.Now;

        Assert.Empty(leaving.Ownership.OwnedShards);
        Assert.DoesNotContain(harness.Table()!.Entries, e => e.Holder == leaving.Name);
        Assert.Null(harness.Leases.Get(Ha.Sharding.ShardKeys.MemberLeaseName(harness.TableName, leaving.Name)));
        Assert.True(stoppedAt - leftAt < harness.LeaseDuration, $"the leave took {stoppedAt - leftAt}");
        Assert.True(await harness.RunUntilAsync(() => harness.Balanced(staying), harness.RetryPeriod * 3), "the others did not take the shards within a few RetryPeriods");
        Assert.Empty(harness.Recorder.Overlaps());
    }

    [Fact]
    public async Task The_leaders_graceful_leave_hands_its_shards_and_the_lease_over()
    {
        var (harness, replicas) = await ThreeAsync();
        await using var _ = harness;
        var leader = replicas.Single(r => r.IsLeader);
        var staying = replicas.Where(r => r != leader).ToArray();

        await leader.StopAsync();

        Assert.True(await harness.RunUntilAsync(() => harness.Balanced(staying) && staying.Any(r => r.IsLeader), harness.LeaseDuration));
        Assert.Empty(harness.Recorder.Overlaps());
    }

    [Fact]
    public async Task A_partitioned_holder_stops_its_work_by_renew_deadline_before_anyone_takes_its_shards()
    {
        var (harness, replicas) = await ThreeAsync();
        await using var _ = harness;
        var cut = replicas.First(r => !r.IsLeader);
        var itsShards = cut.Ownership.OwnedShards.Select(s => s.Shard).ToHashSet();

        var cutAt = harness.Now;
        cut.Partition();
        Assert.True(await harness.RunUntilAsync(() => harness.Table()!.Entries.Where((e, s) => itsShards.Contains(s)).All(e => e.Holder is not null && e.Holder != cut.Name), Minute));

        var intervals = harness.Recorder.Intervals;
        var stopped = intervals.Where(i => i.Replica == cut.Name && itsShards.Contains(i.Shard)).ToList();
        Assert.All(stopped, i => Assert.True(i.End <= cutAt + harness.RenewDeadline, $"{cut.Name} worked on shard {i.Shard} until {i.End}, past {cutAt + harness.RenewDeadline}"));
        var taken = intervals.Where(i => i.Replica != cut.Name && itsShards.Contains(i.Shard) && i.Start > cutAt).ToList();
        Assert.Equal(itsShards.Count, taken.Count);
        Assert.All(taken, t => Assert.True(t.Start >= stopped.Single(s => s.Shard == t.Shard).End));
        Assert.Empty(cut.Ownership.OwnedShards);
        Assert.False(cut.Ownership.Owns("any/key") && cut.Ownership.Find(cut.Ownership.ShardOf("any/key")) is not null);
        Assert.Empty(harness.Recorder.Overlaps());
    }

    [Fact]
    public async Task A_healed_partition_brings_the_replica_back_to_its_share_without_overlap()
    {
        var (harness, replicas) = await ThreeAsync();
        await using var _ = harness;
        var cut = replicas.First(r => !r.IsLeader);
        cut.Partition();
        Assert.True(await harness.RunUntilAsync(() => harness.Balanced(replicas.Where(r => r != cut).ToArray()), Minute));

        cut.ShardClient.Partitioned = false;
        cut.ElectionClient.Partitioned = false;

        Assert.True(await harness.RunUntilAsync(() => harness.Balanced(replicas), Minute), "the healed replica did not get its share back");
        Assert.Empty(harness.Recorder.Overlaps());
    }

    [Fact]
    public async Task Work_that_throws_releases_its_shard_so_another_replica_takes_it()
    {
        await using var harness = new ShardHarness(shards: 4);
        var failing = true;
        var a = harness.Start("a", work: async (shard, token) =>
        {
            await Task.Yield();
            if (failing && shard.Shard == 0)
            {
                throw new InvalidOperationException("boom");
            }

            await Task.Delay(Timeout.Infinite, token);
        });
        var b = harness.Start("b");

        // Shard 0 is a's or b's by the hash; if it is a's, its work fails, a releases it (its term ends) and takes it
        // again only after a hold-off, with a new term and a new start of the work.
        Assert.True(await harness.RunUntilAsync(() => harness.Table()?.Entries[0].Target is not null, Minute));
        if (harness.Table()!.Entries[0].Target == "a")
        {
            Assert.True(await harness.RunUntilAsync(() => harness.Recorder.Intervals.Count(i => i.Shard == 0 && i.Replica == "a" && i.End is not null) >= 2, Minute), "the failed shard was not released and taken again");
            var terms = harness.Recorder.Intervals.Where(i => i.Shard == 0).Select(i => i.Term).ToList();
            Assert.Equal(terms.Count, terms.Distinct().Count());
        }

        failing = false;
        Assert.True(await harness.RunUntilAsync(() => harness.Balanced(a, b), Minute));
        Assert.Empty(harness.Recorder.Overlaps());
    }

    [Fact]
    public async Task Api_errors_on_every_write_path_are_retried_and_never_cause_an_overlap()
    {
        var (harness, replicas) = await ThreeAsync();
        await using var _ = harness;

        // 5xx, a timeout and a conflict (an outside edit of the table) on every replica's next writes, then a join.
        foreach (var r in replicas)
        {
            r.ShardClient.FailNextWrites(
                InMemoryShardLeases.Client.ServerError(HttpStatusCode.InternalServerError),
                new TaskCanceledException("timeout"),
                InMemoryShardLeases.Client.ServerError(HttpStatusCode.ServiceUnavailable));
        }

        harness.Leases.Edit(harness.TableName, l => l.Metadata.Labels["edited"] = "by-kubectl");
        var d = harness.Start("d");
        d.ShardClient.FailNextWrites(InMemoryShardLeases.Client.ServerError(HttpStatusCode.TooManyRequests), new TaskCanceledException("timeout"));

        Assert.True(await harness.RunUntilAsync(() => harness.Balanced([.. replicas, d]), Minute), "the replicas did not converge through the failures");
        Assert.Empty(harness.Recorder.Overlaps());
    }

    [Fact]
    public async Task A_write_held_in_flight_past_the_deadline_does_not_let_work_run()
    {
        await using var harness = new ShardHarness(shards: 4);
        var a = harness.Start("a");
        Assert.True(await harness.RunUntilAsync(() => harness.Balanced(a), Minute));
        var gate = new TaskCompletionSource();
        a.ShardClient.WriteGate = (_, token) => gate.Task.WaitAsync(token);
        var b = harness.Start("b");

        // a's writes hang (its renewals too): its work stops by its deadline, and b takes the shards only after.
        await harness.RunForAsync(harness.LeaseDuration * 2);
        gate.TrySetResult();
        a.ShardClient.WriteGate = null;
        Assert.True(await harness.RunUntilAsync(() => harness.Balanced(a, b), Minute));
        Assert.Empty(harness.Recorder.Overlaps());
    }

    [Fact]
    public async Task Stopping_during_a_write_in_flight_ends_cleanly()
    {
        await using var harness = new ShardHarness(shards: 4);
        var a = harness.Start("a");
        Assert.True(await harness.RunUntilAsync(() => harness.Balanced(a), Minute));
        a.ShardClient.WriteGate = (_, token) => Task.Delay(Timeout.Infinite, token);

        await a.KillAsync();

        Assert.False(a.Running);
        Assert.Empty(a.Ownership.OwnedShards);
        Assert.Empty(harness.Recorder.CurrentHolders());
    }

    [Fact]
    public async Task A_replica_stepping_down_for_health_gives_up_its_shards_and_takes_them_back_when_healthy()
    {
        var (harness, replicas) = await ThreeAsync();
        await using var _ = harness;
        var sick = replicas.First(r => !r.IsLeader);
        var others = replicas.Where(r => r != sick).ToArray();

        sick.Coordinator.SetDraining("step_down");

        Assert.True(await harness.RunUntilAsync(() => harness.Balanced(others), harness.LeaseDuration), "the sick replica's shards did not move");
        Assert.Empty(sick.Ownership.OwnedShards);
        Assert.Equal("true", harness.Leases.Get(ShardKeys.MemberLeaseName(harness.TableName, sick.Name))!.Metadata.Annotations[ShardTable.DrainingAnnotation]);
        Assert.DoesNotContain(sick.Name, harness.Table()!.Members);

        sick.Coordinator.SetDraining(null);

        Assert.True(await harness.RunUntilAsync(() => harness.Balanced(replicas), harness.LeaseDuration), "the recovered replica did not get its share back");
        Assert.Empty(harness.Recorder.Overlaps());
    }
}
