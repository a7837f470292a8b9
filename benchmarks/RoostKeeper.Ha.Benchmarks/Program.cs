using BenchmarkDotNet.Running;
using RoostKeeper.Ha.Benchmarks.Failover;

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
            case ["recovery", .. var rest]:
                RoostKeeper.Ha.Benchmarks.Recovery.RecoveryRunner recovery;
                try
                {
                    recovery = RoostKeeper.Ha.Benchmarks.Recovery.RecoveryRunner.Parse(rest);
                }
                catch (Exception e) when (e is ArgumentException or FormatException)
                {
                    await Console.Error.WriteLineAsync(e.Message);
                    return 2;
                }

                return await recovery.RunAsync();
            case ["micro", .. var rest]:
                BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest.Length == 0 ? ["--filter", "*"] : rest);
                return 0;
            default:
                await Console.Error.WriteLineAsync("Usage: failover [--runs N] [--window-seconds N] [--safety-rounds N] [--fast-safety-rounds N] [--seed N] [--only handoff,crash,rpm,safety,fast] | recovery [--sizes 1000,10000] [--restore 10000] [--parallelism 8] | micro [BenchmarkDotNet arguments]");
                return 2;
        }
    }
}
