using System.Globalization;
using RoostKeeper.Ha.ProcessChaos.Faults;
using RoostKeeper.Ha.ProcessChaos.Replica;
using RoostKeeper.Ha.ProcessChaos.Runs;

namespace RoostKeeper.Ha.Chaos.Tests;

/// <summary>
/// The process-level chaos runner (benchmarks/RoostKeeper.Ha.ProcessChaos) in CI: real replica processes
/// behind fault proxies. Each run starts its processes itself and ends every one of them before it returns,
/// also when it fails. No assertion on speed; the leader bound carries a slack for a loaded machine.
/// </summary>
public sealed class ProcessChaosTests
{
    private static readonly ProcessChaosSettings Base = ProcessChaosSettings.Default with { Slack = TimeSpan.FromSeconds(3) };

    [Fact]
    public async Task A_paused_leaders_late_write_is_refused_by_the_fence_and_is_a_stale_write_without_it()
    {
        // The leader is stopped between its read and its write (a 1.5 s "think" puts the pause there), a
        // follower takes over and writes the object, and the leader wakes up and sends its write.
        var scenario = Base with { Replicas = 2, Objects = 1, Think = TimeSpan.FromMilliseconds(1500) };

        var results = await Task.WhenAll(
            ProcessChaosRun.PausedLeaderAsync(scenario with { Mode = WriteMode.Fenced }, CancellationToken.None),
            ProcessChaosRun.PausedLeaderAsync(scenario with { Mode = WriteMode.Unfenced }, CancellationToken.None));
        var (fenced, unfenced) = (results[0], results[1]);

        Assert.True(fenced.Error is null, fenced.Error);
        Assert.True(unfenced.Error is null, unfenced.Error);
        Assert.True(fenced.StaleWrites.Count == 0, string.Join("; ", fenced.StaleWrites));
        Assert.True(fenced.LostUpdates.Count == 0, string.Join("; ", fenced.LostUpdates));
        Assert.True(fenced.Conflicts + fenced.Refused >= 1, "The paused leader's late write was neither refused by the server (409) nor by the fence.");
        Assert.True(unfenced.StaleWrites.Count >= 1, $"Without the fence the paused leader's late write should be accepted after the newer term's: {ProcessChaosCampaign.Line(unfenced)}");
        Assert.NotEmpty(unfenced.LostUpdates);
    }

    [Fact]
    public async Task Fixed_seeds_of_random_process_faults_leave_no_stale_write_nothing_lost_and_a_leader_after_every_heal()
    {
        var settings = Base with { Replicas = 3, FaultsPerRun = 3, Kinds = [FaultKind.Pause, FaultKind.Kill, FaultKind.Restart, FaultKind.Blackhole, FaultKind.Latency] };

        var results = await Task.WhenAll(new[] { 7, 11 }.Select(seed => ProcessChaosRun.RunAsync(settings, seed, CancellationToken.None)));

        foreach (var run in results)
        {
            var replay = $"seed {run.Seed} (replay: dotnet run --project benchmarks/RoostKeeper.Ha.ProcessChaos -c Release -- --runs 1 --seed {run.Seed} --replicas 3 --faults 3 --only Pause,Kill,Restart,Blackhole,Latency --verbose); faults: {string.Join("; ", run.Faults.Select(f => f.Description))}";
            Assert.True(run.Error is null, $"{replay}: {run.Error}");
            Assert.True(run.StaleWrites.Count == 0, $"{replay}: stale writes: {string.Join("; ", run.StaleWrites)}");
            Assert.True(run.LostUpdates.Count == 0, $"{replay}: lost updates: {string.Join("; ", run.LostUpdates)}");
            Assert.True(run.MissingObjects == 0, $"{replay}: {run.MissingObjects} objects missing");
            Assert.True(run.UnrecordedTerms.Count == 0, $"{replay}: terms the Lease never recorded: {string.Join("; ", run.UnrecordedTerms)}");
            Assert.True(run.AcceptedWrites > 0, $"{replay}: nothing was written");
            var bound = settings.LeaderBound + settings.Slack;
            Assert.True(!run.SlowRecoveries(bound).Any(),
                $"{replay}: no leader within {bound.TotalMilliseconds:0} ms after: {string.Join("; ", run.SlowRecoveries(bound).Select(f => $"{f.Description} ({(f.TimeToLeader is { } t ? t.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms" : "never")})"))}");
        }
    }
}
