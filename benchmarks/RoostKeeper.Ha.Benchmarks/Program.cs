using BenchmarkDotNet.Running;
using RoostKeeper.Ha.Benchmarks.Failover;
using RoostKeeper.Ha.Benchmarks.Fleet;
using RoostKeeper.Ha.Benchmarks.Health;
using RoostKeeper.Ha.Benchmarks.Recovery;
using RoostKeeper.Ha.Benchmarks.RollingUpdates;
using RoostKeeper.Ha.Benchmarks.Sharding;

namespace RoostKeeper.Ha.Benchmarks;

internal static class Program
{
    private const string Usage = """
        Usage: dotnet run -c Release --project benchmarks/RoostKeeper.Ha.Benchmarks -- COMMAND
          failover [--runs N] [--window-seconds N] [--safety-rounds N] [--fast-safety-rounds N] [--seed N] [--only handoff,crash,rpm,safety,fast]
          fleet    [--sizes 3,10,30] [--window-seconds N] [--settle-seconds N] [--warmup-seconds N]
          health   [--rounds N]
          recovery [--sizes 1000,10000] [--restore 10000] [--parallelism 8] [--latency-ms N]
          rollout  [--runs N] [--progress-deadline-seconds N] [--pod-startup-ms N] [--replicas N] [--kubectl real|model]
          sharding [--only throughput,moves,api] [--keys 3000] [--io-ms 20] [--workers 16] [--shards 16] [--replicas 1,3,5]
                   [--window-seconds 20] [--runs 3] [--api-sizes 3,10,30] [--api-window-seconds 60] [--api-settle-seconds 20]
          micro    [BenchmarkDotNet arguments]
        """;

    public static async Task<int> Main(string[] args)
    {
        // Arguments are parsed before anything runs, so a bad one is a usage error and a runner's own
        // ArgumentException is not mistaken for one.
        Func<Task<int>>? run;
        try
        {
            run = args switch
            {
                ["failover", .. var rest] => new FailoverRunner(FailoverSettings.Parse(rest)).RunAsync,
                ["fleet", .. var rest] => new FleetRunner(FleetSettings.Parse(rest)).RunAsync,
                ["health", .. var rest] => new HealthRoundRunner(HealthRounds(rest), [20, 100, 250]).RunAsync,
                ["recovery", .. var rest] => RecoveryRunner.Parse(rest).RunAsync,
                ["rollout", .. var rest] => new RolloutRunner(RolloutSettings.Parse(rest)).RunAsync,
                ["sharding", .. var rest] => new ShardingRunner(ShardingSettings.Parse(rest)).RunAsync,
                ["micro", .. var rest] => () => Task.FromResult(Micro(rest)),
                _ => null,
            };
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 2;
        }

        if (run is null)
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        return await run();
    }

    private static int HealthRounds(string[] rest) =>
        rest is ["--rounds", var n, ..] ? int.Parse(n, System.Globalization.CultureInfo.InvariantCulture) : 10;

    private static int Micro(string[] rest)
    {
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest.Length == 0 ? ["--filter", "*"] : rest);
        return 0;
    }
}
