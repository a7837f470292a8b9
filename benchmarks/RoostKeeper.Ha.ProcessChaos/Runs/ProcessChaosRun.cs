using System.Diagnostics;
using System.Globalization;
using RoostKeeper.Ha.ProcessChaos.Faults;
using RoostKeeper.Ha.ProcessChaos.Fleet;
using RoostKeeper.Ha.ProcessChaos.Replica;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.ProcessChaos.Runs;

/// <summary>
/// One seeded run: a SimulatedCluster over HTTP in this process, a replica process per identity behind its
/// own <see cref="TcpFaultProxy"/>, and <see cref="ProcessChaosSettings.FaultsPerRun"/> faults one after the
/// other, each followed by a wait for a leader. Every process it starts is ended before it returns.
/// </summary>
internal sealed class ProcessChaosRun
{
    private const string Namespace = "default";
    private readonly ProcessChaosSettings _settings;
    private readonly Random _random;
    private readonly Dictionary<string, ReplicaProcess> _current = new(StringComparer.Ordinal);
    private readonly List<ReplicaProcess> _all = [];
    private readonly Dictionary<string, TcpFaultProxy> _proxies = new(StringComparer.Ordinal);
    private ServerRecorder _recorder = null!;

    private ProcessChaosRun(ProcessChaosSettings settings, int seed)
    {
        _settings = settings;
        _random = new Random(seed);
        Seed = seed;
    }

    public int Seed { get; }

    public static Task<RunResult> RunAsync(ProcessChaosSettings settings, int seed, CancellationToken cancellationToken) =>
        RunCoreAsync(settings, seed, async (run, faults, ct) =>
        {
            for (var f = 0; f < settings.FaultsPerRun; f++)
            {
                faults.Add(await run.InjectAsync(ct));
                await Task.Delay(run.Between(0.2, 1.0), ct);
            }
        }, cancellationToken);

    /// <summary>
    /// The paused-leader scenario, without randomness: the leader is stopped (SIGSTOP) right after it reads
    /// an object and before it writes it back (its "think" must be long enough to land there), stays stopped
    /// for 3 × LeaseDuration while another replica takes over and writes that object, and is resumed: its
    /// write comes late. Fenced, the API server refuses it (409); unfenced, it is a stale write.
    /// </summary>
    public static Task<RunResult> PausedLeaderAsync(ProcessChaosSettings settings, CancellationToken cancellationToken) =>
        RunCoreAsync(settings, 0, async (run, faults, ct) =>
        {
            var leader = run.CurrentLeader() ?? throw new InvalidOperationException("No leader to pause.");
            var process = run._current[leader];

            // Pause on a read of an object that exists: a late create gets 409 on its own, fenced or not.
            if (!await WaitForAsync(() => run._recorder.Writes.Any(w => w.Name == ObjectWriter.ObjectName(0)), settings.Think * 3 + settings.LeaseDuration, ct))
            {
                throw new TimeoutException($"{leader} wrote nothing.");
            }

            var since = Stopwatch.GetTimestamp();
            while (!process.Lines.Any(l => l.Kind == ReplicaLine.Read && l.Timestamp > since))
            {
                await Task.Delay(1, ct);
            }

            process.Pause();
            var newer = await run.WaitForLeaderAsync(settings.LeaseDuration * 3, ct);
            var written = newer is not null && await WaitForAsync(() => run._recorder.Writes.Any(w => w.Name == ObjectWriter.ObjectName(0) && w.Holder != leader && w.Term > (process.LeadingTerm ?? 0)), settings.LeaseDuration * 3, ct);
            process.Resume();
            faults.Add(new InjectedFault($"SIGSTOP {leader} between its read and its write{(written ? ", until another term wrote" : ", but no other term wrote in time")}", true, Stopwatch.GetTimestamp(), TimeSpan.Zero));
            if (!written)
            {
                throw new TimeoutException($"No other replica took over and wrote within {3 * settings.LeaseDuration.TotalSeconds:0} s of pausing {leader}.");
            }

            // Let the woken process send its late write and notice its term is over.
            await Task.Delay(settings.LeaseDuration, ct);
        }, cancellationToken);

    private static async Task<RunResult> RunCoreAsync(ProcessChaosSettings settings, int seed, Func<ProcessChaosRun, List<InjectedFault>, CancellationToken, Task> body, CancellationToken cancellationToken)
    {
        var run = new ProcessChaosRun(settings, seed);
        var started = Stopwatch.GetTimestamp();
        var faults = new List<InjectedFault>();
        string? error = null;
        await using var cluster = await SimulatedCluster.StartAsync(new SimulatedClusterOptions { RunControllers = false }, cancellationToken);
        await using (run._recorder = new ServerRecorder(cluster.BaseAddress, Namespace))
        {
            try
            {
                await run._recorder.Started.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
                for (var i = 0; i < settings.Replicas; i++)
                {
                    var identity = "replica-" + i.ToString(CultureInfo.InvariantCulture);
                    run._proxies[identity] = new TcpFaultProxy(cluster.BaseAddress);
                    run.Start(identity);
                }

                await Task.WhenAll(run._current.Values.Select(p => p.Ready)).WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
                if (await run.WaitForLeaderAsync(TimeSpan.FromSeconds(30), cancellationToken) is null)
                {
                    throw new TimeoutException("No leader within 30 s of the start.");
                }

                await body(run, faults, cancellationToken);

                // A last stretch of writes by the final leader, so every object is written in the newest term.
                await Task.Delay(settings.LeaseDuration, cancellationToken);
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException or IOException)
            {
                error = $"{e.GetType().Name}: {e.Message}";
            }
            finally
            {
                await run.StopAllAsync();
                await Task.Delay(300, CancellationToken.None);
            }

            return RunAnalysis.Analyse(seed, settings, run._all, run._recorder, faults, error ?? run._recorder.Error, Stopwatch.GetElapsedTime(started));
        }
    }

    private void Start(string identity)
    {
        var process = ReplicaProcess.Start(identity, _proxies[identity].Address, _settings);
        _current[identity] = process;
        _all.Add(process);
    }

    private async Task<InjectedFault> InjectAsync(CancellationToken cancellationToken)
    {
        var kinds = _settings.Kinds ?? Enum.GetValues<FaultKind>();
        var kind = kinds[_random.Next(kinds.Count)];
        var leader = CurrentLeader();
        var identities = _current.Keys.Order(StringComparer.Ordinal).ToArray();
        var onLeader = leader is not null && (identities.Length == 1 || _random.NextDouble() < 0.5);
        var target = onLeader ? leader! : identities.Where(i => i != leader).ElementAt(_random.Next(identities.Length - (leader is null ? 0 : 1)));
        var process = _current[target];
        var proxy = _proxies[target];
        string description;
        switch (kind)
        {
            case FaultKind.Kill:
            {
                var down = Between(0, 1);
                process.Kill();
                await Task.Delay(down, cancellationToken);
                Start(target);
                description = $"SIGKILL {target}, restarted after {Ms(down)}";
                break;
            }

            case FaultKind.Pause:
            {
                var pause = Between(0.1, 3);
                process.Pause();
                await Task.Delay(pause, cancellationToken);
                process.Resume();
                description = $"SIGSTOP {target} for {Ms(pause)}";
                break;
            }

            case FaultKind.Restart:
                await process.StopAsync(TimeSpan.FromSeconds(5));
                Start(target);
                description = $"SIGTERM {target}, restarted";
                break;

            default:
            {
                var hold = kind switch
                {
                    FaultKind.Reset => Between(0.2, 1),
                    FaultKind.Blackhole => Between(0.5, 2),
                    _ => Between(1, 3),
                };
                var latency = Between(0.1, 1.5);
                var bandwidth = _random.Next(1_000, 8_000);
                proxy.Set(kind switch
                {
                    FaultKind.Reset => ProxyMode.Reset,
                    FaultKind.Blackhole => ProxyMode.Blackhole,
                    FaultKind.Latency => ProxyMode.Latency,
                    _ => ProxyMode.Bandwidth,
                }, latency, bandwidth);
                await Task.Delay(hold, cancellationToken);
                proxy.Heal();
                description = kind switch
                {
                    FaultKind.Latency => $"latency {Ms(latency)} on {target} for {Ms(hold)}",
                    FaultKind.Bandwidth => $"bandwidth {bandwidth} B/s on {target} for {Ms(hold)}",
                    _ => $"{kind.ToString().ToLowerInvariant()} {target} for {Ms(hold)}",
                };
                break;
            }
        }

        var healed = Stopwatch.GetTimestamp();
        var led = await WaitForLeaderAsync(_settings.LeaderBound + _settings.Slack + TimeSpan.FromSeconds(10), cancellationToken);
        return new InjectedFault(description + (onLeader ? " (the leader)" : ""), onLeader, healed, led is { } at ? Stopwatch.GetElapsedTime(healed, Math.Max(at, healed)) : null);
    }

    /// <summary>The replica that leads by both views: the Lease names it with a term it announced, and it runs unpaused.</summary>
    private string? CurrentLeader()
    {
        if (_recorder.Lease is not { Holder: { Length: > 0 } holder } lease || !_current.TryGetValue(holder, out var process))
        {
            return null;
        }

        return !process.Paused && !process.HasExited && process.LeadingTerm == lease.Term ? holder : null;
    }

    private async Task<long?> WaitForLeaderAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start) < timeout)
        {
            if (CurrentLeader() is not null)
            {
                return Stopwatch.GetTimestamp();
            }

            await Task.Delay(10, cancellationToken);
        }

        return null;
    }

    private static async Task<bool> WaitForAsync(Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (Stopwatch.GetElapsedTime(start) > timeout)
            {
                return false;
            }

            await Task.Delay(10, cancellationToken);
        }

        return true;
    }

    private async Task StopAllAsync()
    {
        await Task.WhenAll(_current.Values.Select(p => p.StopAsync(TimeSpan.FromSeconds(5))));
        foreach (var process in _all.Where(p => !p.HasExited))
        {
            process.Kill();
        }

        await Task.WhenAll(_all.Select(p => p.DrainAsync()));
        foreach (var proxy in _proxies.Values)
        {
            await proxy.DisposeAsync();
        }
    }

    private TimeSpan Between(double low, double high) => _settings.LeaseDuration * (low + (_random.NextDouble() * (high - low)));

    private static string Ms(TimeSpan value) => value.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";
}
