using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
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
        AssertPausedLeaderRefused(run);
        AssertShardsMovedAndWorkContinued(run.Output);
    }

    [Fact]
    public async Task The_pause_step_freezes_a_leader_process_with_SIGSTOP_past_its_lease_and_the_API_server_refuses_its_late_write()
    {
        var run = await RunSampleAsync("--step", WalkthroughRunner.PauseStep);

        Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}; output:\n{run.Output}");
        if (OperatingSystem.IsWindows())
        {
            Assert.Contains("step pause: skipped", run.Output, StringComparison.Ordinal);
            Assert.Contains("SIGSTOP and SIGCONT do not exist on Windows", run.Output, StringComparison.Ordinal);
            return;
        }

        AssertPausedLeaderRefused(run);

        // The process's own lines are in the walk-through's log file too, under its name.
        var log = await File.ReadAllTextAsync(run.LogFile);
        Assert.Contains($"{WalkthroughRunner.ProcessReplicaName} RoostKeeper.Ha.Sample.Controller.ManagedRoostController[9007] A conditional write", log, StringComparison.Ordinal);
        Assert.Contains($"{WalkthroughRunner.ProcessReplicaName} RoostKeeper.Ha.Election[1000] {WalkthroughRunner.ProcessReplicaName} started leading", log, StringComparison.Ordinal);
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

    [Fact]
    public async Task The_shards_step_spreads_the_shards_and_a_crashed_replicas_shards_move_while_the_others_keep_reconciling()
    {
        var run = await RunSampleAsync("--step", WalkthroughRunner.ShardsStep);

        Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}; output:\n{run.Output}");
        AssertShardsMovedAndWorkContinued(run.Output);
    }

    /// <summary>
    /// The shards step's story, from the timeline: the map before (3 replicas, 16 shards, each 5 or 6, every shard
    /// once), the crashed replica's shards moved to the others, who both reconciled meanwhile, the map after
    /// (2 replicas, 8 each) and again balanced over 3 when it is back.
    /// </summary>
    private static void AssertShardsMovedAndWorkContinued(string output)
    {
        Assert.Contains("step shards: passed", output, StringComparison.Ordinal);
        var maps = Regex.Matches(output, @"shard map: (?<map>[^;]+);").Select(m => ParseMap(m.Groups["map"].Value)).ToList();
        Assert.True(maps.Count == 3, $"Expected the shard map before, after the crash and after healing:\n{output}");
        foreach (var map in maps)
        {
            Assert.Equal(Enumerable.Range(0, WalkthroughRunner.ShardCount), map.Values.SelectMany(s => s).Order());
            Assert.True(map.Values.Max(s => s.Count) - map.Values.Min(s => s.Count) <= 1, $"Unbalanced map {string.Join(" | ", map.Select(m => $"{m.Key}: {m.Value.Count}"))}");
        }

        Assert.Equal((3, 2, 3), (maps[0].Count, maps[1].Count, maps[2].Count));
        var moved = Regex.Match(output, @"ok (?<victim>shard-[abc])'s (?<count>\d+) shards moved in [\d.]+ s \(first [\d.]+ s\); LeaseDuration \+ RetryPeriod = 4\.50 s");
        Assert.True(moved.Success, $"The line on the moved shards is missing:\n{output}");
        var victim = moved.Groups["victim"].Value;
        Assert.Equal(maps[0][victim].Count, int.Parse(moved.Groups["count"].Value, CultureInfo.InvariantCulture));
        Assert.DoesNotContain(victim, maps[1].Keys);
        foreach (var shard in maps[0][victim])
        {
            Assert.Contains(maps[1], m => m.Value.Contains(shard));
        }

        var meanwhile = Regex.Match(output, @"meanwhile the others kept reconciling: (?<a>shard-[abc]) (?<n>\d+), (?<b>shard-[abc]) (?<m>\d+) reconciles");
        Assert.True(meanwhile.Success, $"The survivors' reconcile counts during the move are missing:\n{output}");
        Assert.True(long.Parse(meanwhile.Groups["n"].Value, CultureInfo.InvariantCulture) > 0 && long.Parse(meanwhile.Groups["m"].Value, CultureInfo.InvariantCulture) > 0);
        Assert.DoesNotContain(victim, new[] { meanwhile.Groups["a"].Value, meanwhile.Groups["b"].Value });
        var recorded = Regex.Match(output, @"ok no shard was reconciled by two replicas at once: (?<n>\d+) reconciles recorded .*, 0 overlaps");
        Assert.True(recorded.Success && int.Parse(recorded.Groups["n"].Value, CultureInfo.InvariantCulture) > 0, $"The ShardOwnershipRecorder check is missing:\n{output}");
    }

    private static Dictionary<string, List<int>> ParseMap(string text) =>
        text.Split(" | ").Select(part => part.Split(" owns ")).ToDictionary(p => p[0].Trim(), p => p[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToList());

    /// <summary>
    /// The pause step's story, from the timeline: replica-d (a process) leads term t, holds an update of a
    /// ConfigMap, is SIGSTOPped, a newer term t' &gt; t writes that ConfigMap, SIGCONT, and the process's own
    /// log line says its write in term t was refused with 409; the ConfigMap keeps t'; the process is gone.
    /// </summary>
    private static void AssertPausedLeaderRefused(SampleRun run)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var output = run.Output;
        Assert.Contains("step pause: passed", output, StringComparison.Ordinal);
        var leads = Regex.Match(output, @"replica-d logs: \[1000\] replica-d started leading Lease \S+ \(term (?<term>\d+)\)");
        Assert.True(leads.Success, $"replica-d's own 'started leading' line is missing:\n{output}");
        var term = leads.Groups["term"].Value;
        var holds = Regex.Match(output, $@"replica-d logs: \[9010\] Holding the update of ConfigMap roost-keeper-system/(?<map>roost-[a-z]+) in term {term} ");
        Assert.True(holds.Success, $"replica-d's own 'holding the update' line in term {term} is missing:\n{output}");
        var map = holds.Groups["map"].Value;
        var paused = Regex.Match(output, @"SIGSTOP replica-d \(pid (?<pid>\d+)\)");
        var resumed = output.IndexOf("SIGCONT replica-d", StringComparison.Ordinal);
        var refused = Regex.Match(output, $@"replica-d logs: \[9007\] A conditional write for ManagedRoost roost-keeper-system/{map[6..]} in term {term} was refused \(409 Conflict");
        Assert.True(paused.Success && resumed > paused.Index && refused.Success && refused.Index > resumed,
            $"Expected SIGSTOP, then SIGCONT, then replica-d's own line that its write of {map} in term {term} was refused with 409:\n{output}");
        var kept = Regex.Match(output, $@"ok replica-d's write in term {term} was refused by the API server .*; ConfigMap {map} keeps term (?<newer>\d+) of replica-[abc]");
        Assert.True(kept.Success, $"The check that {map} kept the newer term is missing:\n{output}");
        Assert.True(long.Parse(kept.Groups["newer"].Value, CultureInfo.InvariantCulture) > long.Parse(term, CultureInfo.InvariantCulture));
        Assert.Contains("killed replica-d", output, StringComparison.Ordinal);
        Assert.False(IsRunning(int.Parse(paused.Groups["pid"].Value, CultureInfo.InvariantCulture)), "replica-d's process outlived the walk-through.");
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited && process.ProcessName == "dotnet";
        }
        catch (ArgumentException)
        {
            return false;
        }
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
