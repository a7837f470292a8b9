namespace RoostKeeper.Ha.Sample.Controller;

/// <summary>
/// The leadership callbacks of one or more replicas, in order, with the time each ran (from the
/// <see cref="TimeProvider"/>'s timestamp): the walk-through reads hand-over times and checks that no two
/// terms overlap from it.
/// </summary>
internal sealed class LeadershipJournal(TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly List<LeadershipEvent> _events = [];
    private readonly long _origin = time.GetTimestamp();

    public TimeSpan Now => time.GetElapsedTime(_origin);

    public void Add(string replica, LeadershipEventKind kind, long? term = null, string? leader = null)
    {
        lock (_gate)
        {
            _events.Add(new LeadershipEvent(Now, replica, kind, term, leader));
        }
    }

    public IReadOnlyList<LeadershipEvent> Snapshot()
    {
        lock (_gate)
        {
            return [.. _events];
        }
    }

    /// <summary>The first event matching <paramref name="match"/> after <paramref name="since"/>, or null.</summary>
    public LeadershipEvent? First(TimeSpan since, Func<LeadershipEvent, bool> match) =>
        Snapshot().FirstOrDefault(e => e.At >= since && match(e));
}

/// <summary>One leadership callback as it ran.</summary>
internal sealed record LeadershipEvent(TimeSpan At, string Replica, LeadershipEventKind Kind, long? Term, string? Leader);

/// <summary>Which callback ran.</summary>
internal enum LeadershipEventKind
{
    StartedLeading,
    StoppedLeading,
    NewLeader,
}
