using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace RoostKeeper.Ha.Sample.Walkthrough;

/// <summary>
/// The walk-through's story on the console: each line stamped with the time since the start, a heading per
/// step, progress for the long waits, and the summary table. Only the walk-through writes here; the library
/// logs to the log file.
/// </summary>
internal sealed class Timeline(IAnsiConsole console)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public IAnsiConsole Console { get; } = console;

    public TimeSpan Elapsed => _clock.Elapsed;

    public static string Ms(TimeSpan span) => span.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture) + " ms";

    public static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture) + " s";

    public void Heading(string step, string title) =>
        Console.Write(new Rule($"[bold]{Markup.Escape(step)}[/]: {Markup.Escape(title)}") { Justification = Justify.Left });

    public void Say(string text) => Console.MarkupLine($"[grey]{Stamp()}[/] {Markup.Escape(text)}");

    public void Check(string text) => Console.MarkupLine($"[grey]{Stamp()}[/] [green]ok[/] {Markup.Escape(text)}");

    /// <summary>The line the test (and a reader) looks for: "step NAME: passed|failed".</summary>
    public void Result(StepResult result) => Console.MarkupLine(result.Skipped
        ? $"[grey]{Stamp()}[/] [yellow]step {Markup.Escape(result.Name)}: skipped[/]: {Markup.Escape(result.Detail)}"
        : result.Passed
        ? $"[grey]{Stamp()}[/] [green]step {Markup.Escape(result.Name)}: passed[/] ({Seconds(result.Duration)})"
        : $"[grey]{Stamp()}[/] [red]step {Markup.Escape(result.Name)}: failed[/] ({Seconds(result.Duration)}): {Markup.Escape(result.Detail)}");

    /// <summary>Runs <paramref name="work"/> under a spinner with <paramref name="status"/> (plain lines when the console is not interactive).</summary>
    public Task<T> WhileAsync<T>(string status, Func<Task<T>> work) =>
        Console.Status().Spinner(Spinner.Known.Dots).StartAsync(Markup.Escape(status), _ => work());

    /// <summary>Runs <paramref name="work"/> with a progress bar it advances by reporting a fraction in [0, 1].</summary>
    public Task<T> ProgressAsync<T>(string task, Func<IProgress<double>, Task<T>> work) =>
        Console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var bar = context.AddTask(Markup.Escape(task), maxValue: 1.0);
                var result = await work(new Progress<double>(fraction => bar.Value = Math.Clamp(fraction, 0, 1)));
                bar.Value = 1.0;
                return result;
            });

    public void Summary(IReadOnlyList<StepResult> results, string logFile, int warnings)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]RoostKeeper.Ha walk-through[/]");
        table.AddColumn("Step");
        table.AddColumn("Result");
        table.AddColumn(new TableColumn("Time").RightAligned());
        table.AddColumn("What happened");
        foreach (var r in results)
        {
            table.AddRow(
                Markup.Escape(r.Name),
                r.Skipped ? "[yellow]skipped[/]" : r.Passed ? "[green]passed[/]" : "[red]failed[/]",
                Seconds(r.Duration),
                Markup.Escape(r.Detail));
        }

        Console.Write(table);
        var passed = results.Count(r => r.Passed && !r.Skipped);
        var skipped = results.Count(r => r.Skipped);
        Console.MarkupLine($"{passed} of {results.Count} steps passed{(skipped > 0 ? $" ({skipped} skipped)" : "")} in {Seconds(Elapsed)}. Library logs ({warnings} warnings, expected from the faults injected): {Markup.Escape(logFile)}");
    }

    private string Stamp() => "[[" + _clock.Elapsed.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture).PadLeft(7) + "s]]";
}

/// <summary>How one step of the walk-through ended. A skipped step (it cannot run on this OS) counts as passed.</summary>
internal sealed record StepResult(string Name, bool Passed, TimeSpan Duration, string Detail, bool Skipped = false);

/// <summary>A step's own check failed; the message says what was expected and what happened.</summary>
internal sealed class StepFailedException(string message) : Exception(message);

/// <summary>A step cannot run here (e.g. SIGSTOP on Windows); the message says why. It does not fail the walk-through.</summary>
internal sealed class StepSkippedException(string message) : Exception(message);
