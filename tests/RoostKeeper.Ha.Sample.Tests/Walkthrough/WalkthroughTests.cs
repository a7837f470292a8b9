using RoostKeeper.Ha.Sample.Tests.Infrastructure;
using RoostKeeper.Ha.Sample.Walkthrough;

namespace RoostKeeper.Ha.Sample.Tests.Walkthrough;

/// <summary>The README's first command, run as a user runs it: the sample's own build, as a process, no kubeconfig.</summary>
public sealed class WalkthroughTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task The_walkthrough_exits_0_with_every_step_passed_in_its_timeline_and_summary()
    {
        var run = await RunSampleAsync();

        Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}; output:\n{run.Output}");
        foreach (var step in WalkthroughRunner.StepNames)
        {
            Assert.Contains($"step {step}: passed", run.Output, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(": failed", run.Output, StringComparison.Ordinal);
        Assert.Contains($"{WalkthroughRunner.StepNames.Count} of {WalkthroughRunner.StepNames.Count} steps passed", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("warn:", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("fail:", run.Output, StringComparison.Ordinal);
        Assert.Contains(run.LogFile, run.Output, StringComparison.Ordinal);
        Assert.Contains("RoostKeeper.Ha.Election", await File.ReadAllTextAsync(run.LogFile), StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_step_runs_with_the_steps_it_needs_and_no_others()
    {
        var run = await RunSampleAsync("--step", "restore");

        Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}; output:\n{run.Output}");
        string[] expected = ["election", "reconcile", "backup", "restore"];
        foreach (var step in WalkthroughRunner.StepNames)
        {
            Assert.Equal(expected.Contains(step), run.Output.Contains($"step {step}: passed", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task An_unknown_step_exits_2_naming_the_steps()
    {
        var run = await RunSampleAsync("--step", "teleport");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Unknown step teleport", run.Output, StringComparison.Ordinal);
        Assert.Contains("corrupt-backup", run.Output, StringComparison.Ordinal);
    }

    private static async Task<SampleRun> RunSampleAsync(params string[] args)
    {
        var logFile = Path.Combine(Path.GetTempPath(), "roost-keeper-sample-tests", Guid.NewGuid().ToString("N") + ".log");
        using var sample = SampleProcess.Start([.. args, "--log-file", logFile]);
        var exitCode = await sample.WaitForExitAsync(Patience);
        return new SampleRun(exitCode, sample.Output, logFile);
    }

    private sealed record SampleRun(int ExitCode, string Output, string LogFile);
}
