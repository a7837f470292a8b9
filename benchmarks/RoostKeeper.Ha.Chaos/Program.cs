using System.Diagnostics;
using System.Globalization;
using RoostKeeper.Ha.Chaos.Faults;
using RoostKeeper.Ha.Chaos.Fleet;
using RoostKeeper.Ha.Chaos.Runs;
using RoostKeeper.Ha.Chaos.Sharding;

// The chaos runner (docs/reliability.md): seeded runs of a fleet under random faults, checked for two
// leaders at once and for the time to a leader after each fault heals. With --sharded, a fleet with sharded
// leadership instead, checked per shard (docs/reliability.md, "Sharded leadership").
if (args.Contains("--sharded"))
{
    return await ShardChaosProgram.RunAsync([.. args.Where(a => a != "--sharded")]);
}

var settings = ChaosSettings.Default;
int? replay = null;
var findSkew = false;
var skewRuns = 10;
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
            case "--theirs": settings = settings with { Theirs = Int() }; break;
            case "--seed": settings = settings with { Seed = Int() }; break;
            case "--concurrency": settings = settings with { Concurrency = Int() }; break;
            case "--faults": settings = settings with { FaultsPerRun = Int() }; break;
            case "--clock-rate-error": settings = settings with { ClockRateError = double.Parse(Next(), CultureInfo.InvariantCulture) }; break;
            case "--slack-ms": settings = settings with { Slack = TimeSpan.FromMilliseconds(Int()) }; break;
            case "--only": settings = settings with { Kinds = [.. Next().Split(',').Select(k => Enum.Parse<FaultKind>(k, ignoreCase: true))] }; break;
            case "--replay": replay = Int(); break;
            case "--find-skew": findSkew = true; break;
            case "--skew-runs": skewRuns = Int(); break;
            case "--help" or "-h":
                Console.WriteLine("""
                    RoostKeeper.Ha.Chaos [--runs 500] [--replicas 3] [--theirs 0] [--seed 1] [--concurrency 12] [--faults 3]
                                         [--clock-rate-error 0.02] [--slack-ms 500] [--only Crash,WatchGone,...]
                    RoostKeeper.Ha.Chaos --replay SEED [same options]      one run, traced
                    RoostKeeper.Ha.Chaos --find-skew [--skew-runs 10]       raise the clock-rate difference until two leaders overlap
                    RoostKeeper.Ha.Chaos --sharded --help                    the sharded mode (its own options)
                    Exit code 1 when a fleet of ours overlapped, failed, or was slow to a leader after a heal.
                    """);
                return 0;
            default: throw new ArgumentException($"Unknown option {name}; see --help.");
        }
    }

    if (settings.Replicas < 1 || settings.Theirs < 0 || settings.Theirs > settings.Replicas || settings.Runs < 1 || settings.Concurrency < 1
        || settings.ClockRateError is < 0 or >= 1)
    {
        throw new ArgumentException("Need --replicas ≥ 1, 0 ≤ --theirs ≤ --replicas, --runs ≥ 1, --concurrency ≥ 1 and 0 ≤ --clock-rate-error < 1.");
    }
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

Console.WriteLine(FormattableString.Invariant($"Machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}. Started {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC."));
Console.WriteLine($"Command: RoostKeeper.Ha.Chaos {string.Join(' ', args)}");
Console.WriteLine();
var wall = Stopwatch.StartNew();

if (findSkew)
{
    var timings = settings.Timings;
    Console.WriteLine(FormattableString.Invariant($"### Clock-rate difference until two leaders overlap ({settings.Replicas - settings.Theirs} × RoostKeeper.Ha, worst case: leader slow, followers fast, leader blackholed just after a renewal)"));
    Console.WriteLine();
    Console.WriteLine(FormattableString.Invariant($"Timings: {timings}. Predicted break: rate error above (LD − RD) / (LD + RD) = {timings.TheoreticalRateBound * 100:0.#} %."));
    Console.WriteLine();
    Console.WriteLine("| Rate error (leader 1 − ε, followers 1 + ε) | Runs | Runs with two leaders | Longest overlap |");
    Console.WriteLine("|---|---|---|---|");
    var steps = await SkewSearch.RunAsync(timings, settings.Ours, skewRuns, 0.05, 0.6, settings.Concurrency, Console.Out, stop.Token);
    var broke = steps.FirstOrDefault(s => s.RunsOverlapping > 0);
    Console.WriteLine();
    Console.WriteLine(broke is null
        ? "No overlap up to the largest rate error tried."
        : FormattableString.Invariant($"First overlap at ±{broke.RateError * 100:0.#} % (predicted above {timings.TheoreticalRateBound * 100:0.#} %)."));
    Console.WriteLine(FormattableString.Invariant($"Wall time {wall.Elapsed.TotalMinutes:0.0} min."));
    return 0;
}

if (replay is { } seed)
{
    var result = await ChaosRun.RunAsync(settings, seed, trace: Console.WriteLine, cancellationToken: stop.Token);
    foreach (var interval in result.Timeline?.Intervals ?? [])
    {
        Console.WriteLine($"  led: {CampaignReport.Describe(interval)}");
    }

    CampaignReport.Write(Console.Out, settings with { Runs = 1, Seed = seed }, [result], wall.Elapsed);
    return result.Violated ? 1 : 0;
}

var done = 0;
var results = await ChaosCampaign.RunAsync(settings, r =>
{
    var n = Interlocked.Increment(ref done);
    if (r.Violated || n % 50 == 0)
    {
        Console.Error.WriteLine(FormattableString.Invariant($"[{wall.Elapsed.TotalMinutes:0.0} min] {n}/{settings.Runs} runs; seed {r.Seed}{(r.Violated ? " VIOLATION" : "")}"));
    }
}, stop.Token);
CampaignReport.Write(Console.Out, settings, results, wall.Elapsed);

// A mixed fleet has no target: KubernetesClient's elector may overlap or be slow (docs/reliability.md).
return settings.Theirs == 0 && results.Any(r => r.Violated) ? 1 : 0;
