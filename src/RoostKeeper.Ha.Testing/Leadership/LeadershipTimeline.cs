namespace RoostKeeper.Ha.Testing;

/// <summary>
/// The leadership intervals of every replica over one window of time, and what they say about the election:
/// overlaps (two leaders at once), time without a leader and its longest stretch, availability, transitions,
/// and the time to a leader after each healed fault. Take one from <see cref="LeadershipRecorder.Timeline"/>,
/// or build one from intervals of your own.
/// </summary>
/// <remarks>
/// Overlaps are looked for among all intervals, including those that ended before <see cref="Start"/>, and
/// only between different replicas. Time without a leader, availability and transitions count only what
/// happened between <see cref="Start"/> and <see cref="End"/>. An interval that has not ended runs until
/// <see cref="End"/>.
/// </remarks>
public sealed class LeadershipTimeline
{
    /// <summary>Builds a timeline and computes what it says.</summary>
    /// <param name="intervals">The leadership intervals of every replica.</param>
    /// <param name="faults">The healed faults to measure the time to a leader after.</param>
    /// <param name="start">Where the window begins.</param>
    /// <param name="end">Where the window ends; open intervals are taken to run until here.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="end"/> is before <paramref name="start"/>.</exception>
    /// <exception cref="ArgumentException">An interval ends before it starts.</exception>
    public LeadershipTimeline(IEnumerable<LeadershipInterval> intervals, IEnumerable<LeadershipFault> faults, TimeSpan start, TimeSpan end)
    {
        ArgumentNullException.ThrowIfNull(intervals);
        ArgumentNullException.ThrowIfNull(faults);
        ArgumentOutOfRangeException.ThrowIfLessThan(end, start);
        Start = start;
        End = end;
        Intervals = [.. intervals.OrderBy(i => i.Start).ThenBy(i => i.Replica, StringComparer.Ordinal)];
        if (Intervals.FirstOrDefault(i => i.End < i.Start) is { } backwards)
        {
            throw new ArgumentException($"The interval of {backwards.Replica} (term {backwards.Term}) ends at {backwards.End} before it starts at {backwards.Start}.", nameof(intervals));
        }

        Faults = [.. faults.OrderBy(f => f.HealedAt)];
        Overlaps = FindOverlaps(Intervals, end);
        (TimeWithoutLeader, LongestWithoutLeader) = MeasureGaps(Intervals, start, end);
        var starts = Intervals.Count(i => i.Start >= start && i.Start <= end);
        var ledAtStart = Intervals.Any(i => i.Start < start && i.Covers(start));
        Transitions = ledAtStart ? starts : Math.Max(0, starts - 1);
        Recoveries = [.. Faults.Select(f => new LeaderRecovery(f, TimeToLeader(Intervals, f.HealedAt, end)))];
    }

    /// <summary>Where the window begins.</summary>
    public TimeSpan Start { get; }

    /// <summary>Where the window ends.</summary>
    public TimeSpan End { get; }

    /// <summary>The window's length.</summary>
    public TimeSpan Duration => End - Start;

    /// <summary>Every interval, in order of start.</summary>
    public IReadOnlyList<LeadershipInterval> Intervals { get; }

    /// <summary>The healed faults, in order of healing.</summary>
    public IReadOnlyList<LeadershipFault> Faults { get; }

    /// <summary>Every pair of intervals of different replicas that ran at the same time; empty when the election was safe.</summary>
    public IReadOnlyList<LeadershipOverlap> Overlaps { get; }

    /// <summary>The total time in the window during which no replica acted as leader.</summary>
    public TimeSpan TimeWithoutLeader { get; }

    /// <summary>The longest stretch of the window without a leader.</summary>
    public TimeSpan LongestWithoutLeader { get; }

    /// <summary>The fraction of the window (0 to 1) during which some replica acted as leader; 1 for an empty window.</summary>
    public double Availability => Duration <= TimeSpan.Zero ? 1 : 1 - (TimeWithoutLeader / Duration);

    /// <summary>How many times a new interval began in the window, not counting the first leader of a window that began without one.</summary>
    public int Transitions { get; }

    /// <summary>For each healed fault, the time to a leader after it.</summary>
    public IReadOnlyList<LeaderRecovery> Recoveries { get; }

    /// <summary>The longest time to a leader after a healed fault; null when there were no faults.</summary>
    /// <remarks>A fault after which no leader came at all counts as the time from its heal to <see cref="End"/>.</remarks>
    public TimeSpan? LongestTimeToLeader => Recoveries.Count == 0 ? null : Recoveries.Max(r => r.TimeToLeader ?? End - r.Fault.HealedAt);

    private static List<LeadershipOverlap> FindOverlaps(IReadOnlyList<LeadershipInterval> sorted, TimeSpan end)
    {
        var overlaps = new List<LeadershipOverlap>();
        for (var a = 0; a < sorted.Count; a++)
        {
            var endA = sorted[a].EndOr(end);
            for (var b = a + 1; b < sorted.Count && sorted[b].Start < endA; b++)
            {
                if (sorted[b].Replica == sorted[a].Replica)
                {
                    continue;
                }

                var endB = sorted[b].EndOr(end);
                var shared = (endA < endB ? endA : endB) - sorted[b].Start;
                if (shared > TimeSpan.Zero)
                {
                    overlaps.Add(new LeadershipOverlap(sorted[a], sorted[b], shared));
                }
            }
        }

        return overlaps;
    }

    private static (TimeSpan Total, TimeSpan Longest) MeasureGaps(IReadOnlyList<LeadershipInterval> sorted, TimeSpan start, TimeSpan end)
    {
        // Sweep the window: covered is how far, from start, some interval has certainly been running.
        var total = TimeSpan.Zero;
        var longest = TimeSpan.Zero;
        var covered = start;
        foreach (var interval in sorted)
        {
            var intervalEnd = interval.EndOr(end);
            if (intervalEnd <= covered)
            {
                continue;
            }

            var from = interval.Start < start ? start : interval.Start;
            if (from >= end)
            {
                break;
            }

            if (from > covered)
            {
                Add(from - covered);
            }

            covered = intervalEnd < end ? intervalEnd : end;
        }

        if (end > covered)
        {
            Add(end - covered);
        }

        return (total, longest);

        void Add(TimeSpan gap)
        {
            total += gap;
            longest = gap > longest ? gap : longest;
        }
    }

    private static TimeSpan? TimeToLeader(IReadOnlyList<LeadershipInterval> sorted, TimeSpan healedAt, TimeSpan end)
    {
        if (sorted.Any(i => i.Covers(healedAt)))
        {
            return TimeSpan.Zero;
        }

        var next = sorted.FirstOrDefault(i => i.Start > healedAt && i.Start <= end);
        return next is null ? null : next.Start - healedAt;
    }
}
