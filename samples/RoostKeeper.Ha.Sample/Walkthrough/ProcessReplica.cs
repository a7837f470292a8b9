using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RoostKeeper.Ha.Processes;

namespace RoostKeeper.Ha.Sample.Walkthrough;

/// <summary>
/// A replica of the sample as its own OS process: this same program in real-cluster mode (<c>--kubeconfig</c>),
/// started with <see cref="DotnetCommand"/>, so that the walk-through can pause it with SIGSTOP, as a long GC
/// pause or a frozen VM would, and resume it with SIGCONT. Its log lines (the console logger, one line each)
/// are kept for the story's evidence and copied to the walk-through's log file.
/// </summary>
internal sealed class ProcessReplica : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Lock _gate = new();
    private readonly List<ProcessLogLine> _lines = [];
    private readonly ILoggerProvider _logs;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Task _reading;
    private int _disposed;

    private ProcessReplica(string name, Process process, ILoggerProvider logs)
    {
        Name = name;
        _process = process;
        _logs = logs;
        Pid = process.Id;
        _reading = Task.WhenAll(ReadAsync(process.StandardOutput), ReadAsync(process.StandardError));
    }

    public string Name { get; }

    public int Pid { get; }

    public bool IsPaused { get; private set; }

    public bool HasExited => _process.HasExited;

    /// <summary>The command line it was started with, for the story.</summary>
    public string CommandLine { get; private init; } = "";

    /// <summary>Every line it has written so far, in order.</summary>
    public IReadOnlyList<ProcessLogLine> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>Starts <c>dotnet RoostKeeper.Ha.Sample.dll</c> (this program's own build) with <paramref name="args"/>.</summary>
    public static ProcessReplica Start(string name, IReadOnlyList<string> args, ILoggerProvider logs)
    {
        var start = DotnetCommand.For(typeof(ProcessReplica).Assembly);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;

        // Its stdin is not the terminal's: a paused child must not hold the console.
        start.RedirectStandardInput = true;
        start.UseShellExecute = false;

        // Never mistake the machine for a pod; and a short start (the framework is precompiled, the rest is JIT).
        start.Environment.Remove("KUBERNETES_SERVICE_HOST");
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment["DOTNET_TieredPGO"] = "0";
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        return new ProcessReplica(name, process, logs)
        {
            // As started: "dotnet RoostKeeper.Ha.Sample.dll ..." or, under dotnet run, the apphost "RoostKeeper.Ha.Sample ...".
            CommandLine = string.Join(' ', start.ArgumentList.Prepend(start.FileName).Select(a => Path.IsPathRooted(a) && !args.Contains(a) ? Path.GetFileName(a) : a)),
        };
    }

    /// <summary>SIGSTOP: the process stops at once, wherever it is, until <see cref="Resume"/>.</summary>
    public void Pause()
    {
        if (!PosixSignals.Send(Pid, PosixSignals.SigStop))
        {
            throw new StepFailedException($"SIGSTOP to {Name} (pid {Pid}) failed: {(HasExited ? "it has exited" : "kill(2) refused")}.");
        }

        IsPaused = true;
    }

    /// <summary>SIGCONT: it goes on from where it stopped; its timers see the time that passed.</summary>
    public void Resume()
    {
        IsPaused = false;
        PosixSignals.Send(Pid, PosixSignals.SigCont);
    }

    /// <summary>Waits for the first line after <paramref name="after"/> (a line index) that <paramref name="match"/> accepts.</summary>
    /// <exception cref="StepFailedException">It exited first, or <paramref name="timeout"/> passed; the message carries its last lines.</exception>
    public async Task<ProcessLogLine> WaitForAsync(Func<ProcessLogLine, bool> match, string what, TimeSpan timeout, CancellationToken cancellationToken, int after = -1)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                if (Lines.FirstOrDefault(l => l.Index > after && match(l)) is { } line)
                {
                    return line;
                }

                if (HasExited)
                {
                    throw new StepFailedException($"{Name} exited (code {_process.ExitCode}) before {what}. Its last lines: {Tail()}");
                }

                await Task.Delay(20, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new StepFailedException($"Waited {timeout.TotalSeconds:F0} s for {what}; it did not happen. {Name}'s last lines: {Tail()}");
        }
    }

    /// <summary>SIGKILL (a paused process too), then waits for its output to end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(patience.Token);
            await _reading.WaitAsync(patience.Token);
        }
        catch (OperationCanceledException)
        {
            // Its output did not end in time; the walk-through is ending anyway.
        }

        _process.Dispose();
    }

    private string Tail() => string.Join(" | ", Lines.TakeLast(5).Select(l => l.Text));

    private async Task ReadAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } text)
        {
            ProcessLogLine line;
            lock (_gate)
            {
                line = ProcessLogLine.Parse(_lines.Count, _clock.Elapsed, text);
                _lines.Add(line);
            }

            _logs.CreateLogger(line.Category).Log(line.Level, new EventId(line.EventId), line.Message, null, (m, _) => m);
        }
    }
}
