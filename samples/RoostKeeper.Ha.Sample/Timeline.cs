using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace RoostKeeper.Ha.Sample;

/// <summary>Prints what happens, with the time since the sample started, and remembers when terms began and ended.</summary>
internal sealed class Timeline(Stopwatch clock)
{
    private readonly ConcurrentDictionary<string, TimeSpan> _started = new();
    private readonly ConcurrentDictionary<(string, long), bool> _terms = new();
    private readonly ConcurrentDictionary<string, TimeSpan> _stopped = new();

    public static string Ms(TimeSpan span) => $"{span.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)} ms";

    public void Section(string title) => Console.WriteLine($"{Environment.NewLine}== {title}");

    public void Say(string text) => Console.WriteLine($"[{clock.Elapsed.TotalSeconds,7:F3}s] {text}");

    public void Started(string replica, long term)
    {
        _started[replica] = clock.Elapsed;
        _terms[(replica, term)] = true;
        Say($"{replica}: OnStartedLeading (term {term})");
    }

    public void Stopped(string replica)
    {
        _stopped[replica] = clock.Elapsed;
        Say($"{replica}: OnStoppedLeading");
    }

    public void NewLeader(string replica, string leader)
    {
        if (replica != leader)
        {
            Say($"{replica}: OnNewLeader({leader})");
        }
    }

    public bool HasStarted(string replica, long term) => _terms.ContainsKey((replica, term));

    public TimeSpan StartedAt(string replica) => _started[replica];

    public TimeSpan StoppedAt(string replica) => _stopped[replica];
}
