using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace RoostKeeper.Ha.Benchmarks.Recovery;

/// <summary>
/// A short job for operations that take seconds each: one launch, in process (the simulator runs in the same
/// process, as in the console runner), one invocation per iteration, 1 warm-up and 3 measured iterations, so that
/// a run of every size finishes on a shared 2-core machine in minutes. Few iterations: read the ratios, and the
/// error columns, not the absolute figures.
/// </summary>
internal sealed class RecoveryJobConfig : ManualConfig
{
    public RecoveryJobConfig() =>
        AddJob(Job.Dry
            .WithWarmupCount(1)
            .WithIterationCount(3)
            .WithLaunchCount(1)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            // The in-process toolchain stops a benchmark after 5 minutes by default; ten thousand creates one at
            // a time with 2 ms of latency, four times over, take longer than that here.
            .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(30), logOutput: true)));
}
