using System.Diagnostics;
using System.Globalization;
using RoostKeeper.Ha.ProcessChaos.Faults;
using RoostKeeper.Ha.ProcessChaos.Replica;
using RoostKeeper.Ha.ProcessChaos.Runs;

// The process-level chaos runner (docs/reliability.md): seeded runs of replica processes under SIGKILL,
// SIGSTOP/SIGCONT, SIGTERM and network faults, checked for stale writes with and without TermFence.
// "replica ..." is the replica process itself, started by the runner.
if (args.Length > 0 && args[0] == "replica")
{
    return await ReplicaHost.RunAsync(args);
}

if (!OperatingSystem.IsLinux())
{
    Console.Error.WriteLine("The process-level chaos runner sends POSIX signals and reads CLOCK_MONOTONIC across processes: Linux only.");
    return 2;
}

var settings = ProcessChaosSettings.Default;
var verbose = false;
var pausedLeader = false;
try
{
    for (var i = 0; i < args.Length; i++)
    {
        var name = args[i];
        string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
        int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
        switch (name)
        {
            case "--runs": settings = settings with { Runs = Int() }; break;
            case "--replicas": settings = settings with { Replicas = Int() }; break;
            case "--seed": settings = settings with { Seed = Int() }; break;
            case "--concurrency": settings = settings with { Concurrency = Int() }; break;
            case "--faults": settings = settings with { FaultsPerRun = Int() }; break;
            case "--objects": settings = settings with { Objects = Int() }; break;
            case "--fencing": settings = settings with { Mode = Next() switch { "on" => WriteMode.Fenced, "off" => WriteMode.Unfenced, "precondition-only" => WriteMode.PreconditionOnly, "check-only" => WriteMode.CheckOnly, var v => throw new ArgumentException($"--fencing {v}: on, off, precondition-only or check-only.") } }; break;
            case "--lease-duration-ms": settings = settings with { LeaseDuration = TimeSpan.FromMilliseconds(Int()) }; break;
            case "--slack-ms": settings = settings with { Slack = TimeSpan.FromMilliseconds(Int()) }; break;
            case "--only": settings = settings with { Kinds = [.. Next().Split(',').Select(k => Enum.Parse<FaultKind>(k, ignoreCase: true))] }; break;
            case "--think-ms": settings = settings with { Think = TimeSpan.FromMilliseconds(Int()) }; break;
            case "--paused-leader": pausedLeader = true; break;
            case "--verbose": verbose = true; break;
            case "--help" or "-h":
                Console.WriteLine("""
                    RoostKeeper.Ha.ProcessChaos [--runs 20] [--replicas 3] [--seed 1] [--concurrency 2] [--faults 3] [--objects 4]
                                                [--fencing on|off|precondition-only|check-only] [--lease-duration-ms 2000] [--slack-ms 2000]
                                                [--only Kill,Pause,Restart,Reset,Blackhole,Latency,Bandwidth] [--think-ms 20] [--verbose]
                    RoostKeeper.Ha.ProcessChaos --paused-leader [--fencing on|off] [--replicas 2]
                                                the leader stopped between its read and its write until another term wrote (no randomness)
                    Exit code 1 when a run failed, a term went unrecorded or a leader was late after a heal, and, with --fencing on,
                    when any stale write, lost update or missing object was seen.
                    """);
                return 0;
            default: throw new ArgumentException($"Unknown option {name}; see --help.");
        }
    }

    if (settings.Replicas < 1 || settings.Runs < 1 || settings.Concurrency < 1 || settings.Objects < 1 || settings.FaultsPerRun < 0)
    {
        throw new ArgumentException("Need --replicas, --runs, --concurrency and --objects ≥ 1, and --faults ≥ 0.");
    }
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

using var stop = new CancellationTokenSource();
if (pausedLeader)
{
    var scenario = settings with { Objects = 1, Think = settings.Think < TimeSpan.FromSeconds(1) ? TimeSpan.FromMilliseconds(1500) : settings.Think };
    var result = await ProcessChaosRun.PausedLeaderAsync(scenario, stop.Token);
    Console.WriteLine(ProcessChaosCampaign.Line(result));
    foreach (var detail in result.Faults.Select(f => "fault: " + f.Description).Concat(result.StaleWrites).Concat(result.LostUpdates))
    {
        Console.WriteLine($"  {detail}");
    }

    return result.Error is null ? 0 : 1;
}

Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

var clock = Stopwatch.StartNew();
Console.WriteLine($"{settings.Runs} runs of {settings.Replicas} replica processes, fencing {settings.Mode}, {settings.FaultsPerRun} faults each, LeaseDuration {settings.LeaseDuration.TotalMilliseconds:0} ms, {settings.Concurrency} at a time, seeds from {settings.Seed}");
var results = await ProcessChaosCampaign.RunAsync(settings, r =>
{
    Console.WriteLine(ProcessChaosCampaign.Line(r));
    if (verbose)
    {
        foreach (var fault in r.Faults)
        {
            Console.WriteLine($"  fault: {fault.Description}");
        }

        foreach (var detail in r.StaleWrites.Concat(r.LostUpdates).Concat(r.UnrecordedTerms).Take(20))
        {
            Console.WriteLine($"  {detail}");
        }
    }
}, stop.Token);
Console.WriteLine();
Console.Write(ProcessChaosCampaign.Summary(settings, results));
Console.WriteLine($"{clock.Elapsed.TotalMinutes:0.0} min on {Environment.ProcessorCount} cores");
return ProcessChaosCampaign.Held(settings, results) ? 0 : 1;
