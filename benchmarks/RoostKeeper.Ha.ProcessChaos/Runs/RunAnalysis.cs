using System.Diagnostics;
using System.Globalization;
using RoostKeeper.Ha.ProcessChaos.Fleet;
using RoostKeeper.Ha.ProcessChaos.Replica;

namespace RoostKeeper.Ha.ProcessChaos.Runs;

/// <summary>The checks of one run, from the processes' lines and the API server's record.</summary>
internal static class RunAnalysis
{
    private sealed record Interval(string Identity, long Term, long Start, long End);

    public static RunResult Analyse(int seed, ProcessChaosSettings settings, IReadOnlyList<ReplicaProcess> processes, ServerRecorder recorder,
        IReadOnlyList<InjectedFault> faults, string? error, TimeSpan duration)
    {
        var end = Stopwatch.GetTimestamp();
        var intervals = processes.SelectMany(p => Intervals(p, end)).ToList();
        var overlaps = new List<ProcessOverlap>();
        for (var i = 0; i < intervals.Count; i++)
        {
            for (var j = i + 1; j < intervals.Count; j++)
            {
                var (a, b) = (intervals[i], intervals[j]);
                var overlap = Math.Min(a.End, b.End) - Math.Max(a.Start, b.Start);
                if (a.Identity != b.Identity && overlap > 0)
                {
                    overlaps.Add(new ProcessOverlap(a.Identity, a.Term, b.Identity, b.Term, Stopwatch.GetElapsedTime(0, overlap)));
                }
            }
        }

        var leases = recorder.Leases;
        var writes = recorder.Writes.Where(w => w.Name.StartsWith("obj-", StringComparison.Ordinal)).ToList();
        var stale = new List<string>();
        var untouched = new List<string>();
        var lost = new List<string>();
        foreach (var group in writes.GroupBy(w => w.Name))
        {
            var newest = -1L;
            var newestHolder = "";
            var seq = 0L;
            foreach (var write in group.OrderBy(w => w.ResourceVersion))
            {
                if (write.Deleted)
                {
                    continue;
                }

                var leaseTerm = leases.Where(l => l.ResourceVersion < write.ResourceVersion).Select(l => l.Term).DefaultIfEmpty(-1).Max();
                var what = string.Create(CultureInfo.InvariantCulture, $"{write.Name}@{write.ResourceVersion} term {write.Term} ({write.Holder})");
                if (write.Term < newest)
                {
                    stale.Add($"{what} after term {newest} ({newestHolder}) wrote it");
                }
                else if (write.Term < leaseTerm)
                {
                    untouched.Add($"{what} after term {leaseTerm} began");
                }

                if (write.Seq != seq + 1)
                {
                    lost.Add(string.Create(CultureInfo.InvariantCulture, $"{what}: seq {write.Seq} after {seq}"));
                }

                seq = write.Seq;
                if (write.Term > newest)
                {
                    (newest, newestHolder) = (write.Term, write.Holder);
                }
            }
        }

        var present = writes.GroupBy(w => w.Name).Count(g => !g.MaxBy(w => w.ResourceVersion)!.Deleted);
        var unrecorded = processes
            .SelectMany(p => p.Lines.Where(l => l.Kind == ReplicaLine.Lead).Select(l => (p.Identity, l.Term)))
            .Where(t => !leases.Any(l => l.Holder == t.Identity && l.Term == t.Term))
            .Select(t => $"{t.Identity} term {t.Term}")
            .ToList();
        var errors = processes.SelectMany(p => p.Lines.Where(l => l.Kind == ReplicaLine.Error).Select(l => $"{p.Identity}: {l.Text}")).ToList();

        return new RunResult
        {
            Seed = seed,
            Faults = faults,
            Overlaps = overlaps,
            StaleWrites = stale,
            OlderTermOnUntouched = untouched,
            LostUpdates = lost,
            MissingObjects = settings.Objects - present,
            UnrecordedTerms = unrecorded,
            AcceptedWrites = writes.Count,
            Terms = leases.Select(l => l.Term).Distinct().Count(),
            Refused = processes.Sum(p => p.Lines.Count(l => l.Kind == ReplicaLine.Refused)),
            Conflicts = processes.Sum(p => p.Lines.Count(l => l.Kind == ReplicaLine.Conflict)),
            Error = error ?? (errors.Count > 0 ? string.Join("; ", errors) : null),
            Duration = duration,
        };
    }

    private static IEnumerable<Interval> Intervals(ReplicaProcess process, long runEnd)
    {
        long? start = null;
        long term = 0;
        foreach (var line in process.Lines)
        {
            if (line.Kind == ReplicaLine.Lead)
            {
                (start, term) = (line.Timestamp, line.Term);
            }
            else if (line.Kind == ReplicaLine.Stop && start is { } s && line.Term == term)
            {
                yield return new Interval(process.Identity, term, s, line.Timestamp);
                start = null;
            }
        }

        if (start is { } open)
        {
            // Killed while leading, or still leading at the end: its view ended with the process.
            yield return new Interval(process.Identity, term, open, process.EndedAt ?? runEnd);
        }
    }
}
