using System.Diagnostics;
using System.Globalization;

namespace RoostKeeper.Ha.Chaos.Sharding;

/// <summary>The command line of the sharded mode (<c>--sharded</c>): seeded runs of a fleet with sharded leadership under random faults.</summary>
internal static class ShardChaosProgram
{
    public static async Task<int> RunAsync(string[] args)
    {
        var settings = ShardChaosSettings.Default;
        int? replay = null;
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
                    case "--shards": settings = settings with { Shards = Int() }; break;
                    case "--seed": settings = settings with { Seed = Int() }; break;
                    case "--concurrency": settings = settings with { Concurrency = Int() }; break;
                    case "--faults": settings = settings with { FaultsPerRun = Int() }; break;
                    case "--clock-rate-error": settings = settings with { ClockRateError = double.Parse(Next(), CultureInfo.InvariantCulture) }; break;
                    case "--slack-ms": settings = settings with { Slack = TimeSpan.FromMilliseconds(Int()) }; break;
                    case "--only": settings = settings with { Kinds = [.. Next().Split(',').Select(k => Enum.Parse<ShardFaultKind>(k, ignoreCase: true))] }; break;
                    case "--replay": replay = Int(); break;
                    case "--help" or "-h":
                        Console.WriteLine("""
                            RoostKeeper.Ha.Chaos --sharded [--runs 500] [--replicas 3] [--shards 16] [--seed 1] [--concurrency 12] [--faults 3]
                                                 [--clock-rate-error 0.02] [--slack-ms 500] [--only Join,Leave,Crash,...]
                            RoostKeeper.Ha.Chaos --sharded --replay SEED [same options]      one run, traced
                            Exit code 1 when a shard had two holders at once, a run failed, or shards were slow to be held or balanced after a heal.
                            """);
                        return 0;
                    default: throw new ArgumentException($"Unknown option {name}; see --sharded --help.");
                }
            }

            if (settings.Replicas < 2 || settings.Shards < 1 || settings.Runs < 1 || settings.Concurrency < 1 || settings.ClockRateError is < 0 or >= 1)
            {
                throw new ArgumentException("Need --replicas ≥ 2, --shards ≥ 1, --runs ≥ 1, --concurrency ≥ 1 and 0 ≤ --clock-rate-error < 1.");
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 2;
        }

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        Console.WriteLine(FormattableString.Invariant($"Machine: {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, load average {LoadAverage()}. Started {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC."));
        Console.WriteLine($"Command: RoostKeeper.Ha.Chaos --sharded {string.Join(' ', args)}");
        Console.WriteLine();
        var wall = Stopwatch.StartNew();
        if (replay is { } seed)
        {
            var result = await ShardChaosRun.RunAsync(settings, seed, trace: Console.WriteLine, cancellationToken: stop.Token);
            ShardCampaignReport.Write(Console.Out, settings with { Runs = 1, Seed = seed }, [result], wall.Elapsed);
            return result.Violated ? 1 : 0;
        }

        var done = 0;
        var results = await ShardCampaign.RunAsync(settings, r =>
        {
            var n = Interlocked.Increment(ref done);
            if (r.Violated || n % 50 == 0)
            {
                Console.Error.WriteLine(FormattableString.Invariant($"[{wall.Elapsed.TotalMinutes:0.0} min] {n}/{settings.Runs} runs; seed {r.Seed}{(r.Violated ? " VIOLATION" : "")}; load average {LoadAverage()}"));
            }
        }, stop.Token);
        ShardCampaignReport.Write(Console.Out, settings, results, wall.Elapsed);
        Console.WriteLine();
        Console.WriteLine($"Load average at the end: {LoadAverage()}.");
        return results.Any(r => r.Violated) ? 1 : 0;
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
