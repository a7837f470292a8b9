namespace RoostKeeper.Ha.Diagnostics;

/// <summary>
/// Decides when a repeating failure is worth a log line: the first one, each change of the problem, and
/// then at most once per interval with the number of repeats in between, so a replica whose API server is
/// down logs a few lines a minute instead of two every RetryPeriod. Thread-safe.
/// </summary>
internal sealed class FailureThrottle
{
    /// <summary>How often a failure that keeps repeating unchanged is logged again.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(1);

    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly object _gate = new();
    private string? _problem;
    private long _loggedAt;
    private int _repeats;
    private int _streak;

    public FailureThrottle(TimeProvider time, TimeSpan? interval = null)
    {
        _time = time;
        _interval = interval ?? DefaultInterval;
    }

    /// <summary>Records a failure; says whether to log it and how many identical ones were not logged since the last line.</summary>
    public Decision Failed(string problem)
    {
        lock (_gate)
        {
            _streak++;
            var now = _time.GetTimestamp();
            if (problem != _problem)
            {
                var skipped = _repeats;
                (_problem, _loggedAt, _repeats) = (problem, now, 0);
                return new Decision(Log: true, Repeats: skipped, Changed: true);
            }

            if (_time.GetElapsedTime(_loggedAt, now) >= _interval)
            {
                var repeats = _repeats + 1;
                (_loggedAt, _repeats) = (now, 0);
                return new Decision(Log: true, Repeats: repeats, Changed: false);
            }

            _repeats++;
            return new Decision(Log: false, Repeats: _repeats, Changed: false);
        }
    }

    /// <summary>Records a success; returns how many failures in a row it ends (0: there was no failure to recover from).</summary>
    public int Succeeded()
    {
        lock (_gate)
        {
            var streak = _streak;
            (_problem, _repeats, _streak) = (null, 0, 0);
            return streak;
        }
    }

    /// <param name="Log">Whether to write a line now.</param>
    /// <param name="Repeats">Identical failures not logged before this one (for the count in the line).</param>
    /// <param name="Changed">Whether the problem differs from the previous failure (or there was none).</param>
    internal readonly record struct Decision(bool Log, int Repeats, bool Changed);
}
