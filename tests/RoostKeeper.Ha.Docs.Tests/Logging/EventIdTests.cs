using System.Reflection;
using RoostKeeper.Ha.AspNetCore;
using RoostKeeper.Ha.Backups.S3;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Docs.Tests.Logging;

/// <summary>
/// Log event ids are stable and unambiguous: every <c>[LoggerMessage]</c> of the shipped assemblies names its id,
/// no id is used twice in an assembly, and each Log class stays inside the range docs/metrics.md gives it
/// (which is where those ranges are written, once).
/// </summary>
public sealed class EventIdTests
{
    private static readonly Assembly[] Shipped =
        [typeof(HaManager).Assembly, typeof(HaApiOptions).Assembly, typeof(S3BackupStore).Assembly, typeof(SimulatedCluster).Assembly];

    private static IReadOnlyList<LoggedEvent> Events() => Shipped.SelectMany(LoggedEvent.In).ToList();

    [Fact]
    public void Every_logged_event_names_its_id()
    {
        var events = Events();
        Assert.NotEmpty(events);
        var missing = events.Where(e => e.EventId is null).Select(e => $"{e.Assembly}: {e}").ToList();
        Assert.True(missing.Count == 0, $"[LoggerMessage] without an explicit event id:\n{string.Join("\n", missing)}");
    }

    [Fact]
    public void Event_ids_are_unique_in_each_assembly()
    {
        var duplicates = Events()
            .Where(e => e.EventId is not null)
            .GroupBy(e => (e.Assembly, e.EventId))
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key.Assembly}: {g.Key.EventId} is used by {string.Join(", ", g.Select(e => $"{e.LogClass}.{e.Method}"))}")
            .ToList();
        Assert.True(duplicates.Count == 0, $"Event ids used twice:\n{string.Join("\n", duplicates)}");
    }

    [Fact]
    public void Each_log_class_stays_inside_its_documented_range()
    {
        var ranges = EventIdRange.Documented();
        Assert.NotEmpty(ranges);
        var problems = new List<string>();
        foreach (var logClass in Events().GroupBy(e => (e.Assembly, e.LogClass)))
        {
            var range = ranges.FirstOrDefault(r => r.LogClass == logClass.Key.LogClass && r.Package == logClass.Key.Assembly);
            if (range is null)
            {
                problems.Add($"{logClass.Key.LogClass} ({logClass.Key.Assembly}) has no row in {EventIdRange.Document}'s \"Log event ids\" table");
                continue;
            }

            problems.AddRange(logClass.Where(e => e.EventId is { } id && !range.Contains(id)).Select(e => $"{e} is outside {range}"));
        }

        Assert.True(problems.Count == 0, $"Event ids against {EventIdRange.Document}:\n{string.Join("\n", problems)}");
    }

    [Fact]
    public void The_documented_ranges_are_disjoint_and_each_names_a_log_class_that_exists()
    {
        var ranges = EventIdRange.Documented();
        var logClasses = Events().Select(e => (e.LogClass, e.Assembly)).ToHashSet();
        var problems = new List<string>();
        problems.AddRange(ranges.Where(r => r.First > r.Last).Select(r => $"{r}: the range is empty"));
        problems.AddRange(ranges.Where(r => !logClasses.Contains((r.LogClass, r.Package))).Select(r => $"{r}: no such Log class with [LoggerMessage] methods in {r.Package}"));
        for (var i = 0; i < ranges.Count; i++)
        {
            for (var j = i + 1; j < ranges.Count; j++)
            {
                if (ranges[i].RowIndex != ranges[j].RowIndex && ranges[i].First <= ranges[j].Last && ranges[j].First <= ranges[i].Last)
                {
                    problems.Add($"{ranges[i]} overlaps {ranges[j]}");
                }
            }
        }

        Assert.True(problems.Count == 0, $"{EventIdRange.Document}'s \"Log event ids\" table:\n{string.Join("\n", problems)}");
    }

    [Fact]
    public void The_table_parser_reads_dashes_and_skips_other_tables()
    {
        var ranges = EventIdRange.Parse("""
            | Capability | Log class | Package | Logger category | Event ids |
            |---|---|---|---|---|
            | Health | `HealthLog` | RoostKeeper.Ha | `RoostKeeper.Ha.Health` | 2000–2099 |
            | Sim | `SimulatorLog` | RoostKeeper.Ha.Testing | `RoostKeeper.Ha.Testing.SimulatedCluster` | 8000-8099 |
            | Api | `AspNetCoreLog`, `OperationLog` | RoostKeeper.Ha.AspNetCore | `RoostKeeper.Ha.AspNetCore` | 6000–6099 |
            | `roost_keeper_up` | gauge | `1` | none |
            """.Replace("\r\n", "\n", StringComparison.Ordinal));

        Assert.Equal(
            [
                new EventIdRange("HealthLog", "RoostKeeper.Ha", 2000, 2099, 0),
                new EventIdRange("SimulatorLog", "RoostKeeper.Ha.Testing", 8000, 8099, 1),
                new EventIdRange("AspNetCoreLog", "RoostKeeper.Ha.AspNetCore", 6000, 6099, 2),
                new EventIdRange("OperationLog", "RoostKeeper.Ha.AspNetCore", 6000, 6099, 2),
            ],
            ranges);
        Assert.False(ranges[0].Contains(3000));
        Assert.True(ranges[0].Contains(2099));
    }
}
