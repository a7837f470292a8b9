using System.Diagnostics;
using System.Globalization;

namespace RoostKeeper.Ha.ProcessChaos.Replica;

/// <summary>
/// The line protocol a replica process writes on stdout, its own view of its leadership:
/// <c>KIND TERM TIMESTAMP [TEXT]</c>, the timestamp from <see cref="Stopwatch.GetTimestamp"/> (CLOCK_MONOTONIC
/// on Linux, one clock for every process of the machine, so the runner can order lines of all processes).
/// </summary>
internal sealed record ReplicaLine(string Kind, long Term, long Timestamp, string Text)
{
    public const string Ready = "READY";
    public const string Lead = "LEAD";
    public const string Read = "READ";
    public const string Stop = "STOP";
    public const string Refused = "REFUSED";
    public const string Conflict = "CONFLICT";
    public const string Error = "ERROR";
    public const string Exit = "EXIT";

    private static readonly Lock Gate = new();

    public static void Emit(string kind, long term, string text = "")
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"{kind} {term} {Stopwatch.GetTimestamp()} {text.ReplaceLineEndings(" ")}");
        lock (Gate)
        {
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        }
    }

    public static ReplicaLine? Parse(string? line)
    {
        var parts = line?.Split(' ', 4);
        return parts is { Length: >= 3 }
            && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var term)
            && long.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var at)
            ? new ReplicaLine(parts[0], term, at, parts.Length > 3 ? parts[3] : "")
            : null;
    }
}
