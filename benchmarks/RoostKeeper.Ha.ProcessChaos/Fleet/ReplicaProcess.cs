using System.Diagnostics;
using System.Globalization;
using RoostKeeper.Ha.ProcessChaos.Replica;
using RoostKeeper.Ha.Processes;
using RoostKeeper.Ha.ProcessChaos.Runs;

namespace RoostKeeper.Ha.ProcessChaos.Fleet;

/// <summary>
/// One incarnation of a replica: an OS process running this program in replica mode, its stdout read line by
/// line (<see cref="ReplicaLine"/>). A restart is a new incarnation with the same identity.
/// </summary>
internal sealed class ReplicaProcess
{
    private readonly Process _process;
    private readonly Lock _gate = new();
    private readonly List<ReplicaLine> _lines = [];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _reading;

    private ReplicaProcess(string identity, Process process)
    {
        Identity = identity;
        _process = process;
        Pid = process.Id;
        _reading = ReadAsync();
    }

    public string Identity { get; }

    public int Pid { get; }

    /// <summary>When the runner ended it (SIGKILL) or saw it exit, on the shared monotonic clock; null while it runs.</summary>
    public long? EndedAt { get; private set; }

    public bool Killed { get; private set; }

    public bool Paused { get; private set; }

    public bool HasExited => _process.HasExited;

    public Task Ready => _ready.Task;

    public IReadOnlyList<ReplicaLine> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>The term this incarnation believes it leads now (its own view), or null.</summary>
    public long? LeadingTerm
    {
        get
        {
            lock (_gate)
            {
                long? open = null;
                foreach (var line in _lines)
                {
                    if (line.Kind == ReplicaLine.Lead)
                    {
                        open = line.Term;
                    }
                    else if (line.Kind == ReplicaLine.Stop && line.Term == open)
                    {
                        open = null;
                    }
                }

                return EndedAt is null ? open : null;
            }
        }
    }

    public static ReplicaProcess Start(string identity, Uri server, ProcessChaosSettings settings)
    {
        var start = DotnetCommand.For(typeof(ReplicaProcess).Assembly);
        foreach (var arg in new[]
        {
            "replica", "--server", server.ToString(), "--identity", identity, "--mode", settings.Mode.ToString(),
            "--objects", settings.Objects.ToString(CultureInfo.InvariantCulture),
            "--lease-duration-ms", Ms(settings.LeaseDuration), "--renew-deadline-ms", Ms(settings.RenewDeadline),
            "--retry-period-ms", Ms(settings.RetryPeriod), "--stop-leading-timeout-ms", Ms(settings.StopLeadingTimeout),
            "--think-ms", Ms(settings.Think),
        })
        {
            start.ArgumentList.Add(arg);
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.Environment["DOTNET_TieredPGO"] = "0";
        start.Environment["DOTNET_TC_QuickJitForLoops"] = "1";
        start.Environment["DOTNET_gcServer"] = "0";
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start a replica process.");
        return new ReplicaProcess(identity, process);
    }

    public void Kill()
    {
        EndedAt ??= Stopwatch.GetTimestamp();
        Killed = true;
        try
        {
            _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public bool Pause()
    {
        Paused = PosixSignals.Send(Pid, PosixSignals.SigStop);
        return Paused;
    }

    public void Resume()
    {
        PosixSignals.Send(Pid, PosixSignals.SigCont);
        Paused = false;
    }

    /// <summary>SIGTERM (resuming it first if paused), then waits for it to exit; SIGKILL if it does not in time.</summary>
    public async Task StopAsync(TimeSpan patience)
    {
        if (_process.HasExited)
        {
            EndedAt ??= Stopwatch.GetTimestamp();
            return;
        }

        if (Paused)
        {
            Resume();
        }

        PosixSignals.Send(Pid, PosixSignals.SigTerm);
        using var timeout = new CancellationTokenSource(patience);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            EndedAt ??= Stopwatch.GetTimestamp();
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    /// <summary>Waits for stdout to end (after the process ended) so every line is in.</summary>
    public async Task DrainAsync()
    {
        await _process.WaitForExitAsync();
        await _reading;
        _process.Dispose();
    }

    private async Task ReadAsync()
    {
        var stderr = _process.StandardError.ReadToEndAsync();
        while (await _process.StandardOutput.ReadLineAsync() is { } text)
        {
            if (ReplicaLine.Parse(text) is not { } line)
            {
                continue;
            }

            lock (_gate)
            {
                _lines.Add(line);
            }

            if (line.Kind == ReplicaLine.Ready)
            {
                _ready.TrySetResult();
            }
        }

        _ = await stderr;
        lock (_gate)
        {
            EndedAt ??= Stopwatch.GetTimestamp();
        }

        _ready.TrySetResult();
    }

    private static string Ms(TimeSpan value) => ((int)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
}
