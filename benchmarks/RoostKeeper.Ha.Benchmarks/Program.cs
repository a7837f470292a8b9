using BenchmarkDotNet.Running;
using RoostKeeper.Ha.Benchmarks.Failover;
using RoostKeeper.Ha.Benchmarks.Health;
using RoostKeeper.Ha.Benchmarks.Fleet;

namespace RoostKeeper.Ha.Benchmarks;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        switch (args)
        {
            case ["failover", .. var rest]:
                FailoverSettings settings;
                try
                {
                    settings = FailoverSettings.Parse(rest);
                }
                catch (ArgumentException e)
                {
                    await Console.Error.WriteLineAsync(e.Message);
                    return 2;
                }

                return await new FailoverRunner(settings).RunAsync();
            case ["health", .. var rest]:
                var rounds = rest is ["--rounds", var n, ..] ? int.Parse(n, System.Globalization.CultureInfo.InvariantCulture) : 10;
                return await new HealthRoundRunner(rounds, [20, 100, 250]).RunAsync();
            case ["fleet", .. var rest]:
                FleetSettings fleet;
                try
                {
                    fleet = FleetSettings.Parse(rest);
                }
                catch (ArgumentException e)
                {
                    await Console.Error.WriteLineAsync(e.Message);
                    return 2;
                }

                return await new FleetRunner(fleet).RunAsync();
            case ["micro", .. var rest]:
                BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest.Length == 0 ? ["--filter", "*"] : rest);
                return 0;
            default:
                await Console.Error.WriteLineAsync("Usage: failover [--runs N] [--window-seconds N] [--safety-rounds N] [--fast-safety-rounds N] [--seed N] [--only handoff,crash,rpm,safety,fast] | health [--rounds N] | fleet [--sizes 3,10,30] [--window-seconds N] [--settle-seconds N] [--warmup-seconds N] | micro [BenchmarkDotNet arguments]");
                return 2;
        }
    }
}
