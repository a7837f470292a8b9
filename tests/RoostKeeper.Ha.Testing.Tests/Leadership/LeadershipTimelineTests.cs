using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Testing.Tests.Leadership;

/// <summary>The checker on crafted intervals: every figure it reports, and the edges where it could be wrong.</summary>
public sealed class LeadershipTimelineTests
{
    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    private static LeadershipInterval Led(string replica, double start, double? end, long term = 0) =>
        new(replica, term, S(start), end is { } e ? S(e) : null);

    private static LeadershipTimeline Timeline(double start, double end, params LeadershipInterval[] intervals) =>
        new(intervals, [], S(start), S(end));

    [Fact]
    public void Two_replicas_leading_at_once_is_an_overlap_of_the_shared_time()
    {
        var timeline = Timeline(0, 10, Led("a", 0, 5), Led("b", 4, 8));

        var overlap = Assert.Single(timeline.Overlaps);
        Assert.Equal("a", overlap.First.Replica);
        Assert.Equal("b", overlap.Second.Replica);
        Assert.Equal(S(1), overlap.Duration);
    }

    [Fact]
    public void An_interval_that_ends_exactly_when_the_next_starts_does_not_overlap()
    {
        var timeline = Timeline(0, 10, Led("a", 0, 5), Led("b", 5, 8));

        Assert.Empty(timeline.Overlaps);
        Assert.Equal(S(2), timeline.TimeWithoutLeader);
    }

    [Fact]
    public void An_open_interval_runs_until_the_end_of_the_timeline_and_overlaps_a_later_leader()
    {
        var timeline = Timeline(0, 10, Led("a", 0, null), Led("b", 6, 7));

        Assert.Equal(S(1), Assert.Single(timeline.Overlaps).Duration);
        Assert.Equal(TimeSpan.Zero, timeline.TimeWithoutLeader);
    }

    [Fact]
    public void Two_open_intervals_overlap_until_the_end()
    {
        var timeline = Timeline(0, 10, Led("a", 2, null), Led("b", 7, null));

        Assert.Equal(S(3), Assert.Single(timeline.Overlaps).Duration);
    }

    [Fact]
    public void Intervals_of_one_replica_never_count_as_an_overlap()
    {
        var timeline = Timeline(0, 10, Led("a", 0, 6, term: 1), Led("a", 5, 9, term: 2));

        Assert.Empty(timeline.Overlaps);
    }

    [Fact]
    public void A_long_interval_overlapping_several_later_ones_reports_each_pair()
    {
        var timeline = Timeline(0, 10, Led("a", 0, 9), Led("b", 1, 2), Led("c", 3, 4));

        Assert.Equal(["b", "c"], timeline.Overlaps.Select(o => o.Second.Replica));
        Assert.All(timeline.Overlaps, o => Assert.Equal(S(1), o.Duration));
    }

    [Fact]
    public void Overlaps_before_the_window_are_still_found()
    {
        var timeline = Timeline(5, 10, Led("a", 0, 3), Led("b", 2, 6));

        Assert.Single(timeline.Overlaps);
    }

    [Fact]
    public void Gaps_are_summed_and_the_longest_is_reported()
    {
        // Leaderless: 0–1, 3–3.5, 6–10.
        var timeline = Timeline(0, 10, Led("a", 1, 3), Led("b", 3.5, 6));

        Assert.Equal(S(5.5), timeline.TimeWithoutLeader);
        Assert.Equal(S(4), timeline.LongestWithoutLeader);
        Assert.Equal(0.45, timeline.Availability, 9);
    }

    [Fact]
    public void Overlapping_intervals_are_not_counted_twice_as_leader_time()
    {
        var timeline = Timeline(0, 10, Led("a", 0, 6), Led("b", 2, 4), Led("c", 5, 10));

        Assert.Equal(TimeSpan.Zero, timeline.TimeWithoutLeader);
        Assert.Equal(1.0, timeline.Availability);
    }

    [Fact]
    public void Only_the_window_counts_for_gaps_and_availability()
    {
        // "a" led before the window and into it; the window is 4–10, with no leader 5–8.
        var timeline = Timeline(4, 10, Led("a", 0, 5), Led("b", 8, null));

        Assert.Equal(S(3), timeline.TimeWithoutLeader);
        Assert.Equal(S(3), timeline.LongestWithoutLeader);
        Assert.Equal(0.5, timeline.Availability, 9);
    }

    [Fact]
    public void An_empty_timeline_has_no_leader_all_along()
    {
        var timeline = Timeline(0, 10);

        Assert.Empty(timeline.Overlaps);
        Assert.Equal(S(10), timeline.TimeWithoutLeader);
        Assert.Equal(S(10), timeline.LongestWithoutLeader);
        Assert.Equal(0, timeline.Availability);
        Assert.Equal(0, timeline.Transitions);
        Assert.Null(timeline.LongestTimeToLeader);
    }

    [Fact]
    public void A_window_of_no_length_is_fully_available()
    {
        var timeline = Timeline(3, 3, Led("a", 0, 1));

        Assert.Equal(1.0, timeline.Availability);
        Assert.Equal(TimeSpan.Zero, timeline.TimeWithoutLeader);
    }

    [Fact]
    public void The_first_leader_of_a_window_that_began_without_one_is_not_a_transition()
    {
        Assert.Equal(2, Timeline(0, 10, Led("a", 1, 3), Led("b", 4, 6), Led("a", 7, null)).Transitions);
    }

    [Fact]
    public void Every_new_interval_is_a_transition_when_a_leader_was_running_as_the_window_began()
    {
        Assert.Equal(2, Timeline(2, 10, Led("a", 0, 3), Led("b", 4, 6), Led("a", 7, null)).Transitions);
    }

    [Fact]
    public void Time_to_leader_is_measured_from_the_heal_to_the_next_start()
    {
        var fault = new LeadershipFault("partition of the leader", S(1), S(4));
        var timeline = new LeadershipTimeline([Led("a", 0, 3), Led("b", 6.5, null)], [fault], S(0), S(10));

        var recovery = Assert.Single(timeline.Recoveries);
        Assert.Equal(S(2.5), recovery.TimeToLeader);
        Assert.True(recovery.Within(S(2.5)));
        Assert.False(recovery.Within(S(2.4)));
        Assert.Equal(S(2.5), timeline.LongestTimeToLeader);
    }

    [Fact]
    public void Time_to_leader_is_zero_when_a_replica_leads_as_the_fault_heals()
    {
        var fault = new LeadershipFault("follower partition", S(1), S(4));
        var timeline = new LeadershipTimeline([Led("a", 0, null)], [fault], S(0), S(10));

        Assert.Equal(TimeSpan.Zero, Assert.Single(timeline.Recoveries).TimeToLeader);
    }

    [Fact]
    public void A_heal_at_the_instant_a_term_ends_waits_for_the_next_term()
    {
        // The interval [0, 4) does not cover 4: the replica had stopped acting by then.
        var fault = new LeadershipFault("restart", S(1), S(4));
        var timeline = new LeadershipTimeline([Led("a", 0, 4), Led("b", 5, null)], [fault], S(0), S(10));

        Assert.Equal(S(1), Assert.Single(timeline.Recoveries).TimeToLeader);
    }

    [Fact]
    public void No_leader_after_a_heal_is_reported_as_null_and_counts_to_the_end_of_the_timeline()
    {
        var fault = new LeadershipFault("crash", S(1), S(4));
        var timeline = new LeadershipTimeline([Led("a", 0, 2)], [fault], S(0), S(10));

        var recovery = Assert.Single(timeline.Recoveries);
        Assert.Null(recovery.TimeToLeader);
        Assert.False(recovery.Within(TimeSpan.MaxValue));
        Assert.Equal(S(6), timeline.LongestTimeToLeader);
    }

    [Fact]
    public void An_interval_that_ends_before_it_starts_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => Timeline(0, 10, Led("a", 5, 4, term: 3)));

        Assert.Contains("a (term 3)", error.Message);
    }

    [Fact]
    public void A_window_that_ends_before_it_starts_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Timeline(5, 4));
    }
}
