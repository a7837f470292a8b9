using RoostKeeper.Ha.Sharding;

namespace RoostKeeper.Ha.Tests.Sharding;

/// <summary>A hostile or mismatched shard table is reported, and no work runs on it.</summary>
public sealed class ShardTableSafetyTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    public static TheoryData<string, string> Hostile => new()
    {
        { "{garbage", "cannot be read: the roostkeeper.io/shard-table annotation is not valid JSON" },
        { """{"shards":4,"term":1,"members":[],"entries":[{"term":0}]}""", "has 1 entries for 4 shards" },
        { new string(' ', 300_000), "more than the 262144 a table can take" },
        { """{"shards":8,"term":1,"members":[],"entries":[{"term":0},{"term":0},{"term":0},{"term":0},{"term":0},{"term":0},{"term":0},{"term":0}]}""", "has 8 shards but this replica runs with RoostHa:Sharding:Shards = 4" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task A_hostile_table_is_reported_and_stops_all_work(string annotation, string reported)
    {
        await using var harness = new ShardHarness(shards: 4);
        var a = harness.Start("a");
        var b = harness.Start("b");
        Assert.True(await harness.RunUntilAsync(() => harness.Balanced(a, b), Minute));

        harness.Leases.Edit(harness.TableName, l => l.Metadata.Annotations[ShardTable.Annotation] = annotation);

        Assert.True(await harness.RunUntilAsync(() => harness.Recorder.CurrentHolders().Count == 0, harness.RetryPeriod));
        await harness.RunForAsync(harness.LeaseDuration);
        Assert.Empty(harness.Recorder.CurrentHolders());
        Assert.All([a, b], r => Assert.Empty(r.Ownership.OwnedShards));
        Assert.All([a, b], r => Assert.Contains(reported, r.Ownership.Problem, StringComparison.Ordinal));
        Assert.Equal(annotation, harness.Leases.Get(harness.TableName)!.Metadata.Annotations[ShardTable.Annotation]); // nobody overwrote it
        Assert.Empty(harness.Recorder.Overlaps());
    }

    [Fact]
    public async Task A_replica_with_another_shard_count_refuses_to_take_shards_naming_both()
    {
        await using var harness = new ShardHarness(shards: 16);
        var a = harness.Start("a");
        Assert.True(await harness.RunUntilAsync(() => harness.Balanced(a), Minute));

        var odd = harness.Start("odd", shards: 8);
        await harness.RunForAsync(harness.LeaseDuration);

        Assert.Empty(odd.Ownership.OwnedShards);
        Assert.Contains("has 16 shards but this replica runs with RoostHa:Sharding:Shards = 8", odd.Ownership.Problem, StringComparison.Ordinal);
        Assert.Contains("every replica must use the same count", odd.Ownership.Problem, StringComparison.Ordinal);
        Assert.Empty(harness.Recorder.Overlaps());
    }

    [Fact]
    public async Task A_deleted_table_stops_the_work_and_the_leader_writes_a_new_one_only_after_a_lease_duration()
    {
        await using var harness = new ShardHarness(shards: 4);
        var a = harness.Start("a");
        var b = harness.Start("b");
        Assert.True(await harness.RunUntilAsync(() => harness.Balanced(a, b), Minute));
        var highest = harness.Table()!.Term;

        var deletedAt = harness.Now;
        harness.Leases.Delete(harness.TableName);

        Assert.True(await harness.RunUntilAsync(() => harness.Recorder.CurrentHolders().Count == 0, harness.RetryPeriod));
        Assert.True(await harness.RunUntilAsync(() => harness.Table() is not null, Minute));
        Assert.True(harness.Now - deletedAt >= harness.LeaseDuration);
        Assert.True(await harness.RunUntilAsync(() => harness.Balanced(a, b), Minute));
        Assert.True(harness.Table()!.Entries.All(e => e.Term > highest), "terms started again below the ones handed out");
        Assert.Empty(harness.Recorder.Overlaps());
    }
}
