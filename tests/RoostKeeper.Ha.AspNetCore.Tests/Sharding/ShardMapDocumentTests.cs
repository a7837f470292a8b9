using RoostKeeper.Ha.AspNetCore.Sharding;
using RoostKeeper.Ha.Sharding;

namespace RoostKeeper.Ha.AspNetCore.Tests.Sharding;

/// <summary>The wire documents of the shard map: each shard's state from its holder and target, what counts as owned, the summary.</summary>
public sealed class ShardMapDocumentTests
{
    private static readonly DateTimeOffset Now = ShardEndpointTests.Observed;

    [Theory]
    [InlineData("replica-a", "replica-a", "Held")]
    [InlineData("replica-b", "replica-a", "Moving")]
    [InlineData(null, "replica-a", "Moving")]
    [InlineData("replica-a", null, "Unowned")]
    [InlineData(null, null, "Unowned")]
    public void A_shard_s_state_comes_from_its_holder_and_target(string? target, string? holder, string state)
    {
        var document = ShardDocument.From(new ShardMapEntry(5, target, holder, 3, holder is null ? Now : null));

        Assert.Equal((5, target, holder, 3L, state), (document.Shard, document.Target, document.Holder, document.Term, document.State.ToString()));
        Assert.Equal(holder is null ? Now : null, document.UnownedSince);
    }

    [Fact]
    public void Holder_and_target_are_compared_exactly()
    {
        Assert.Equal(ShardState.Moving, ShardDocument.From(new ShardMapEntry(0, "Replica-A", "replica-a", 1, null)).State);
    }

    [Fact]
    public void A_shard_whose_token_is_cancelled_is_not_owned_any_more()
    {
        var ownership = new FakeShardOwnership("replica-a", 4);
        using var released = new CancellationTokenSource();
        released.Cancel();
        ownership.Observe(ShardEndpointTests.MidMove(), ownership.Owned(0, 12, Now), ownership.Owned(1, 9, Now, released.Token));

        var map = ShardMapDocument.From(ownership);

        Assert.Equal([0], map.Owned.Select(o => o.Shard));
        Assert.Equal([0], ShardSummaryDocument.From(map).OwnedShards);
    }

    [Fact]
    public void The_summary_counts_each_state_and_the_members()
    {
        var ownership = new FakeShardOwnership("replica-a", 4);
        ownership.Observe(ShardEndpointTests.MidMove(), ownership.Owned(0, 12, Now), ownership.Owned(1, 9, Now));

        var summary = ShardSummaryDocument.From(ShardMapDocument.From(ownership));

        Assert.Equal((4, 2, 2, 1, 1, (DateTimeOffset?)Now), (summary.ShardCount, summary.MemberCount, summary.Held, summary.Moving, summary.Unowned, summary.ObservedAt));
        Assert.Equal([0, 1], summary.OwnedShards);
    }

    [Theory]
    [InlineData(4, true)]
    [InlineData(8, false)]
    public void A_table_of_another_shard_count_disagrees_and_an_unread_one_does_not(int configured, bool agrees)
    {
        var ownership = new FakeShardOwnership("replica-a", configured);
        Assert.True(ShardMapDocument.From(ownership).CountAgrees);

        ownership.Observe(ShardEndpointTests.MidMove());

        Assert.Equal(agrees, ShardMapDocument.From(ownership).CountAgrees);
    }
}
