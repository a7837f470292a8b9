using k8s;
using RoostKeeper.Ha.Sample.Controller;

namespace RoostKeeper.Ha.Sample.Walkthrough;

/// <summary>The steps in story order, and the first two: election and reconcile.</summary>
internal sealed partial class WalkthroughRunner
{
    private const int SampleRoostCount = 3;

    private static ManagedRoost[] SampleRoosts() =>
    [
        ManagedRoost.Create("robin", "robin", 4, "cheer-up, cheerily"),
        ManagedRoost.Create("wren", "wren", 2, "teakettle-teakettle"),
        ManagedRoost.Create("kestrel", "kestrel", 1, "klee-klee-klee"),
    ];

    private static IReadOnlyList<WalkthroughStep> Steps() =>
    [
        new("election", "three replicas elect one leader on a Lease", [], (w, ct) => w.ElectionAsync(ct)),
        new("reconcile", "only the leader reconciles ManagedRoosts", ["election"], (w, ct) => w.ReconcileAsync(ct)),
        new("handover", "graceful hand-overs: POST /failover, then a graceful stop", ["reconcile"], (w, ct) => w.HandoverAsync(ct)),
        new("crash", "the leader is cut off; a follower takes over at the lease limit; fencing", ["reconcile"], (w, ct) => w.CrashAsync(ct)),
        new(PauseStep, "a leader frozen by SIGSTOP past its lease wakes up; its late write is refused (fencing)", ["reconcile"], (w, ct) => w.PauseAsync(ct)),
        new(ShardsStep, "three replicas share the shards; one crashes, its shards move, the others keep working", [], (w, ct) => w.ShardsAsync(ct)),
        new("health", "a leader that cannot do its work hands over", ["reconcile"], (w, ct) => w.HealthAsync(ct)),
        new("backup", "back up the ManagedRoosts", ["reconcile"], (w, ct) => w.BackupAsync(ct)),
        new("restore", "delete the roosts, validate the backup, restore it", ["backup"], (w, ct) => w.RestoreAsync(ct)),
        new("corrupt-backup", "a corrupted backup is refused", ["backup"], (w, ct) => w.CorruptBackupAsync(ct)),
        new("update", "a rolling update that succeeds", ["election"], (w, ct) => w.UpdateAsync(ct)),
        new("rollback", "a rolling update to a crash-looping image is rolled back", ["election"], (w, ct) => w.RollbackAsync(ct)),
    ];

    private async Task<string> ElectionAsync(CancellationToken cancellationToken)
    {
        var leader = await WaitForLeaderAsync(_replicas, "a leader", cancellationToken);
        var term = TermOf(leader);
        _timeline.Say($"{leader.Name} leads (term {term}); OnStartedLeading ran and started its leader-only controller");
        foreach (var replica in _replicas)
        {
            await WaitUntilAsync(() => replica.Manager.LeaderIdentity == leader.Name, $"{replica.Name} to observe {leader.Name} as leader", Patience, cancellationToken);
        }

        foreach (var replica in _replicas)
        {
            await WaitUntilAsync(
                async () =>
                {
                    var status = await StatusAsync(replica, cancellationToken);
                    return status.GetProperty("leader").GetString() == leader.Name && status.GetProperty("isLeader").GetBoolean() == (replica == leader);
                },
                $"GET {replica.Url}status to name {leader.Name} as leader", Patience, cancellationToken);
        }

        Expect(_replicas.Count(r => r.IsLeader) == 1, "More than one replica believes it leads.");
        _timeline.Check($"GET /status on all three replicas names {leader.Name}; exactly one leader");
        return $"{leader.Name} leads term {term}; all /status agree";
    }

    private async Task<string> ReconcileAsync(CancellationToken cancellationToken)
    {
        var leader = await LeaderAsync(cancellationToken);
        var roosts = SampleRoosts();
        foreach (var roost in roosts)
        {
            await Admin.CustomObjects.CreateNamespacedCustomObjectAsync(roost, ManagedRoost.Group, ManagedRoost.Version, Namespace, ManagedRoost.Plural, cancellationToken: cancellationToken);
        }

        _timeline.Say($"created ManagedRoosts {string.Join(", ", roosts.Select(r => r.Metadata.Name))}");
        await WaitForRoostsReadyAsync(leader, SampleRoostCount, cancellationToken);
        _timeline.Check($"every roost is Ready with a ConfigMap, status written by {leader.Name} in term {TermOf(leader)}");

        // A spec change: generation 2, and the ConfigMap follows.
        var wren = await Admin.CustomObjects.GetNamespacedCustomObjectAsync<ManagedRoost>(ManagedRoost.Group, ManagedRoost.Version, Namespace, ManagedRoost.Plural, "wren", cancellationToken: cancellationToken);
        wren.Spec.Song = "tea-kettle, louder";
        await Admin.CustomObjects.ReplaceNamespacedCustomObjectAsync(wren, ManagedRoost.Group, ManagedRoost.Version, Namespace, ManagedRoost.Plural, "wren", cancellationToken: cancellationToken);
        await WaitUntilAsync(
            async () => (await Admin.CoreV1.ReadNamespacedConfigMapAsync("roost-wren", Namespace, cancellationToken: cancellationToken)).Data["song"] == "tea-kettle, louder",
            "the ConfigMap of wren to carry the new song", Patience, cancellationToken);
        await WaitForRoostsReadyAsync(leader, SampleRoostCount, cancellationToken);
        _timeline.Check("a spec change of wren reached its ConfigMap; status.observedGeneration follows");

        var followerWrites = _replicas.Where(r => r != leader).Sum(r => Cluster.Requests.CountPersistedWrites(r.ControllerClientName));
        var leaderWrites = Cluster.Requests.CountPersistedWrites(leader.ControllerClientName);
        Expect(followerWrites == 0, $"Followers wrote {followerWrites} times; only the leader may reconcile.");
        Expect(leaderWrites > 0, "The leader's controller wrote nothing.");
        _timeline.Check($"writes by the controllers: {leader.Name} {leaderWrites}, followers 0");
        Expect(_reconciles.Success >= SampleRoostCount, $"The controller recorded {_reconciles.Success} successful reconciles with ReconcileRecorder, fewer than the {SampleRoostCount} roosts.");
        _timeline.Check(_reconciles.ToString());
        var scrape = await Http.GetStringAsync(new Uri(leader.Url, "metrics"), cancellationToken);
        Expect(scrape.Contains("roost_keeper_reconcile_total{", StringComparison.Ordinal), $"GET {leader.Url}metrics has no roost_keeper_reconcile_total.");
        _timeline.Check($"GET {leader.Url}metrics serves roost_keeper_reconcile_total for Prometheus");
        return $"3 roosts Ready by {leader.Name}; followers wrote nothing";
    }
}
