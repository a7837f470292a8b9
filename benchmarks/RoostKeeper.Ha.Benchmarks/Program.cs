using BenchmarkDotNet.Running;
using RoostKeeper.Ha.Benchmarks.Failover;
using RoostKeeper.Ha.Benchmarks.Rollouts;

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
            case ["rollout", .. var rest]:
                RolloutSettings rollout;
                try
                {
                    rollout = RolloutSettings.Parse(rest);
                }
                catch (ArgumentException e)
                {
                    await Console.Error.WriteLineAsync(e.Message);
                    return 2;
                }

                return await new RolloutRunner(rollout).RunAsync();
            case ["micro", .. var rest]:
                BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest.Length == 0 ? ["--filter", "*"] : rest);
                return 0;
            default:
                await Console.Error.WriteLineAsync("Usage: failover [--runs N] [--window-seconds N] [--safety-rounds N] [--fast-safety-rounds N] [--seed N] [--only handoff,crash,rpm,safety,fast] | rollout [--runs N] [--progress-deadline-seconds N] [--pod-startup-ms N] [--replicas N] [--kubectl real|model] | micro [BenchmarkDotNet arguments]");
                return 2;
        }
    }
}
