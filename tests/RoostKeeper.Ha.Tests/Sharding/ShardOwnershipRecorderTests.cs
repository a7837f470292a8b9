using Microsoft.Extensions.Time.Testing;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Tests.Sharding;

public sealed class ShardOwnershipRecorderTests
{
    [Fact]
    public void An_injected_overlap_is_reported_with_both_intervals()
    {
        var time = new FakeTimeProvider();
        var recorder = new ShardOwnershipRecorder(time);

        var a = recorder.Started("a", shard: 3, term: 7);
        time.Advance(TimeSpan.FromSeconds(5));
        using var b = recorder.Started("b", shard: 3, term: 8); // a has not stopped: the defect
        time.Advance(TimeSpan.FromSeconds(1));
        a.Dispose();

        var overlap = Assert.Single(recorder.Overlaps());
        Assert.Equal(3, overlap.Shard);
        Assert.Equal(("a", 7L, TimeSpan.Zero, (TimeSpan?)TimeSpan.FromSeconds(6)), (overlap.First.Replica, overlap.First.Term, overlap.First.Start, overlap.First.End));
        Assert.Equal(("b", 8L), (overlap.Second.Replica, overlap.Second.Term));
        Assert.Contains("shard 3: a (term 7", overlap.ToString(), StringComparison.Ordinal);
        Assert.Equal(["b"], recorder.CurrentHolders()[3]);
    }

    [Fact]
    public void A_clean_hand_off_and_other_shards_are_not_overlaps()
    {
        var time = new FakeTimeProvider();
        var recorder = new ShardOwnershipRecorder(time);

        using (recorder.Started("a", 1, 1))
        {
            using var other = recorder.Started("b", 2, 2); // another shard at the same time
            time.Advance(TimeSpan.FromSeconds(1));
        }

        using var next = recorder.Started("b", 1, 3); // starts when a ended
        using var same = recorder.Started("b", 1, 4); // one replica twice is not two holders

        Assert.Empty(recorder.Overlaps());
        Assert.Equal(["b", "b"], recorder.CurrentHolders()[1]);
    }

    [Fact]
    public async Task Work_that_ignores_its_token_overlaps_its_successor()
    {
        var time = new FakeTimeProvider();
        var recorder = new ShardOwnershipRecorder(time);
        using var token = new CancellationTokenSource();
        var stubborn = new TaskCompletionSource();

        var work = recorder.RunAsync("a", 0, 1, token.Token, _ => stubborn.Task);
        await token.CancelAsync();
        time.Advance(TimeSpan.FromSeconds(1));
        using (recorder.Started("b", 0, 2))
        {
            time.Advance(TimeSpan.FromSeconds(1));
            stubborn.SetResult();
            await work;
        }

        Assert.Single(recorder.Overlaps());
    }
}
