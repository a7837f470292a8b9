using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace RoostKeeper.Ha.Sample.Walkthrough;

/// <summary>
/// One line a <see cref="ProcessReplica"/> wrote, as the console logger's single-line format writes it:
/// <c>info: RoostKeeper.Ha.Election[1000] replica-d started leading ...</c>. Lines of another shape (a stack
/// trace, the runtime's own messages) keep their text with event id 0.
/// </summary>
internal sealed partial record ProcessLogLine(int Index, TimeSpan At, LogLevel Level, string Category, int EventId, string Message, string Text)
{
    public static ProcessLogLine Parse(int index, TimeSpan at, string text)
    {
        var match = Shape().Match(text);
        if (!match.Success)
        {
            return new ProcessLogLine(index, at, LogLevel.Information, "stdout", 0, text, text);
        }

        var level = match.Groups["level"].Value switch
        {
            "trce" => LogLevel.Trace,
            "dbug" => LogLevel.Debug,
            "warn" => LogLevel.Warning,
            "fail" => LogLevel.Error,
            "crit" => LogLevel.Critical,
            _ => LogLevel.Information,
        };
        return new ProcessLogLine(index, at, level, match.Groups["category"].Value,
            int.Parse(match.Groups["id"].Value, CultureInfo.InvariantCulture), match.Groups["message"].Value, text);
    }

    /// <summary>The first number after <paramref name="prefix"/> in the message (e.g. "term "), or null.</summary>
    public long? NumberAfter(string prefix)
    {
        var at = Message.IndexOf(prefix, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var digits = new string([.. Message.AsSpan(at + prefix.Length).ToArray().TakeWhile(char.IsAsciiDigit)]);
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    /// <summary>The line for the story: its event id and message, as the process logged it.</summary>
    public override string ToString() => $"[{EventId}] {Message}";

    [GeneratedRegex(@"^(?<level>trce|dbug|info|warn|fail|crit): (?<category>[^\[\s]+)\[(?<id>\d+)\] (?<message>.*)$")]
    private static partial Regex Shape();
}
