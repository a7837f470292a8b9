using Microsoft.Extensions.Time.Testing;
using RoostKeeper.Ha.Chaos.Sharding;

namespace RoostKeeper.Ha.Chaos.Tests.Sharding;

/// <summary>The sharded chaos runner's check: per-shard intervals, their overlaps, and the time shards go without an owner.</summary>
public sealed class ShardIntervalRecorderTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Two_replicas_working_on_one_shard_at_once_is_an_overlap_of_the_time_they_shared()
    {
        var recorder = new ShardIntervalRecorder(4, _time);
        var a = recorder.Begin("a", 2, 1);
        _time.Advance(TimeSpan.FromSeconds(1));
        var b = recorder.Begin("b", 2, 2);
        _time.Advance(TimeSpan.FromMilliseconds(300));
        recorder.End(a);
        _time.Advance(TimeSpan.FromSeconds(1));
        recorder.End(b);

        var overlap = Assert.Single(recorder.Overlaps());

        Assert.Equal(2, overlap.First.Shard);
        Assert.Equal(("a", "b"), (overlap.First.Replica, overlap.Second.Replica));
        Assert.Equal(TimeSpan.FromMilliseconds(300), overlap.Duration);
    }

    [Fact]
    public void A_hand_off_where_the_next_holder_starts_as_the_last_one_ends_is_not_an_overlap_nor_are_different_shards()
    {
        var recorder = new ShardIntervalRecorder(4, _time);
        var a = recorder.Begin("a", 0, 1);
        recorder.Begin("b", 1, 2);
        _time.Advance(TimeSpan.FromSeconds(1));
        recorder.End(a);
        recorder.Begin("c", 0, 3);

        Assert.Empty(recorder.Overlaps());
        Assert.Equal(new string?[] { "c", "b", null, null }, recorder.HoldersNow());
        Assert.Equal(1, recorder.OwnedNow()["c"]);
    }

    [Fact]
    public void A_holder_whose_work_never_ended_overlaps_the_next_one_until_now()
    {
        var recorder = new ShardIntervalRecorder(1, _time);
        recorder.Begin("a", 0, 1);
        _time.Advance(TimeSpan.FromSeconds(1));
        recorder.Begin("b", 0, 2);
        _time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(TimeSpan.FromSeconds(2), Assert.Single(recorder.Overlaps()).Duration);
    }

    [Fact]
    public void Work_that_returns_late_after_its_token_was_cancelled_overlaps_by_work_but_not_by_token()
    {
        var recorder = new ShardIntervalRecorder(1, _time);
        var a = recorder.Begin("a", 0, 1);
        _time.Advance(TimeSpan.FromSeconds(1));
        recorder.Cancelled(a);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        recorder.Begin("b", 0, 2);
        _time.Advance(TimeSpan.FromMilliseconds(50));
        recorder.End(a);

        Assert.Equal(TimeSpan.FromMilliseconds(50), Assert.Single(recorder.Overlaps()).Duration);
        Assert.Empty(recorder.Overlaps(byToken: true));
        Assert.Equal(TimeSpan.FromSeconds(1), recorder.Intervals()[0].Cancelled);
    }

    [Fact]
    public void A_token_cancelled_after_the_next_holder_started_is_a_token_overlap()
    {
        var recorder = new ShardIntervalRecorder(1, _time);
        var a = recorder.Begin("a", 0, 1);
        _time.Advance(TimeSpan.FromSeconds(1));
        recorder.Begin("b", 0, 2);
        _time.Advance(TimeSpan.FromMilliseconds(30));
        recorder.Cancelled(a);
        recorder.End(a);

        Assert.Equal(TimeSpan.FromMilliseconds(30), Assert.Single(recorder.Overlaps(byToken: true)).Duration);
    }

    [Fact]
    public void A_stopped_process_ends_every_open_interval_of_it_and_no_other()
    {
        var recorder = new ShardIntervalRecorder(3, _time);
        recorder.Begin("a", 0, 1);
        recorder.Begin("a", 1, 2);
        recorder.Begin("b", 2, 3);
        _time.Advance(TimeSpan.FromSeconds(1));

        recorder.Stopped("a");
        _time.Advance(TimeSpan.FromSeconds(1));
        recorder.Begin("b", 0, 4);

        Assert.Empty(recorder.Overlaps());
        Assert.All(recorder.Intervals().Where(i => i.Replica == "a"), i => Assert.Equal(TimeSpan.FromSeconds(1), i.End));
        Assert.Equal(new TimeSpan?[] { null, null }, recorder.Intervals().Where(i => i.Replica == "b").Select(i => i.End));
    }

    [Fact]
    public void Unowned_time_is_what_no_interval_of_a_shard_covers_within_the_window()
    {
        ShardInterval[] intervals =
        [
            new("a", 0, 1, TimeSpan.FromSeconds(0), TimeSpan.FromSeconds(4)),
            new("b", 0, 2, TimeSpan.FromSeconds(6), null),
            new("a", 1, 3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)),
            new("b", 1, 4, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(9)),
        ];

        // Shard 0: 4–6 s uncovered (2 s); shard 1: 0–1 s (from 0) and 9–10 s (2 s); shard 2: never held (10 s).
        var unowned = ShardChaosRun.Unowned(intervals, 3, TimeSpan.Zero, TimeSpan.FromSeconds(10));

        Assert.Equal(TimeSpan.FromSeconds(14), unowned);
    }

    [Fact]
    public void A_shard_outside_the_table_is_refused()
    {
        var recorder = new ShardIntervalRecorder(2, _time);

        Assert.Throws<ArgumentOutOfRangeException>(() => recorder.Begin("a", 2, 1));
    }
}
