using Microsoft.Extensions.Time.Testing;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Testing.Tests.Leadership;

/// <summary>The recorder on a fake clock: intervals from the leader token, explicit start/stop, faults and waiting.</summary>
public sealed class LeadershipRecorderTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void A_tracked_interval_ends_when_the_leader_token_is_cancelled()
    {
        var recorder = new LeadershipRecorder(_time);
        using var term = new CancellationTokenSource();
        _time.Advance(TimeSpan.FromSeconds(1));
        recorder.Track("a", 7, term.Token);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("a", recorder.CurrentLeader);

        term.Cancel();
        _time.Advance(TimeSpan.FromSeconds(5));

        var interval = Assert.Single(recorder.Timeline().Intervals);
        Assert.Equal(new LeadershipInterval("a", 7, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)), interval);
        Assert.Null(recorder.CurrentLeader);
    }

    [Fact]
    public void Tracking_an_already_cancelled_token_records_an_interval_of_no_length()
    {
        var recorder = new LeadershipRecorder(_time);

        recorder.Track("a", 1, new CancellationToken(canceled: true));

        var interval = Assert.Single(recorder.Timeline().Intervals);
        Assert.Equal(interval.Start, interval.End);
    }

    [Fact]
    public void Started_and_stopped_record_an_interval_and_a_stray_stop_is_ignored()
    {
        var recorder = new LeadershipRecorder(_time);
        recorder.Stopped("b");
        recorder.Started("b");
        _time.Advance(TimeSpan.FromSeconds(4));
        recorder.Stopped("b");
        recorder.Stopped("b");

        var interval = Assert.Single(recorder.Timeline().Intervals);
        Assert.Equal(TimeSpan.FromSeconds(4), interval.End);
    }

    [Fact]
    public void Two_replicas_tracked_at_once_show_as_an_overlap()
    {
        var recorder = new LeadershipRecorder(_time);
        recorder.Track("a", 1, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(1));
        recorder.Started("b");
        _time.Advance(TimeSpan.FromSeconds(1));

        var overlap = Assert.Single(recorder.Timeline().Overlaps);
        Assert.Equal(TimeSpan.FromSeconds(1), overlap.Duration);
    }

    [Fact]
    public void A_healed_fault_is_measured_against_the_next_leader()
    {
        var recorder = new LeadershipRecorder(_time);
        var injected = recorder.Now;
        _time.Advance(TimeSpan.FromSeconds(2));
        recorder.FaultHealed("partition", injected);
        _time.Advance(TimeSpan.FromSeconds(3));
        recorder.Started("a");

        var timeline = recorder.Timeline();
        Assert.Equal(new LeadershipFault("partition", TimeSpan.Zero, TimeSpan.FromSeconds(2)), Assert.Single(timeline.Faults));
        Assert.Equal(TimeSpan.FromSeconds(3), Assert.Single(timeline.Recoveries).TimeToLeader);
    }

    [Fact]
    public void The_window_starts_where_asked()
    {
        var recorder = new LeadershipRecorder(_time);
        _time.Advance(TimeSpan.FromSeconds(2));
        recorder.Started("a");
        _time.Advance(TimeSpan.FromSeconds(3));

        var timeline = recorder.Timeline(TimeSpan.FromSeconds(2));
        Assert.Equal(TimeSpan.FromSeconds(3), timeline.Duration);
        Assert.Equal(1.0, timeline.Availability);
        Assert.Equal(TimeSpan.FromSeconds(2), recorder.Timeline().TimeWithoutLeader);
    }

    [Fact]
    public void A_window_starting_after_now_is_empty_and_a_negative_start_is_refused()
    {
        var recorder = new LeadershipRecorder(_time);
        _time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(TimeSpan.Zero, recorder.Timeline(TimeSpan.FromSeconds(5)).Duration);
        Assert.Throws<ArgumentOutOfRangeException>(() => recorder.Timeline(TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public async Task Waiting_for_a_leader_returns_when_one_starts()
    {
        var recorder = new LeadershipRecorder(_time);
        var waiting = recorder.WaitForLeaderAsync(TimeSpan.FromSeconds(10));
        Assert.False(waiting.IsCompleted);

        recorder.Started("a");

        Assert.Equal("a", await waiting.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Waiting_for_another_leader_ignores_the_excluded_replica()
    {
        var recorder = new LeadershipRecorder(_time);
        recorder.Started("a");
        var waiting = recorder.WaitForLeaderAsync(TimeSpan.FromSeconds(10), except: "a");
        await Task.Yield();
        Assert.False(waiting.IsCompleted);

        recorder.Stopped("a");
        recorder.Started("b");

        Assert.Equal("b", await waiting.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Waiting_times_out_on_the_recorders_clock()
    {
        var recorder = new LeadershipRecorder(_time);
        var waiting = recorder.WaitForLeaderAsync(TimeSpan.FromSeconds(10));

        _time.Advance(TimeSpan.FromSeconds(11));

        var error = await Assert.ThrowsAsync<TimeoutException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("within 10 s", error.Message);
    }

    [Fact]
    public async Task Waiting_can_be_cancelled()
    {
        var recorder = new LeadershipRecorder(_time);
        using var cancel = new CancellationTokenSource();
        var waiting = recorder.WaitForLeaderAsync(TimeSpan.FromSeconds(10), cancellationToken: cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
