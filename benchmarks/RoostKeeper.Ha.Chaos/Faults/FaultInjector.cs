using System.Globalization;
using System.Net;
using k8s;
using k8s.Models;
using RoostKeeper.Ha.Chaos.Fleet;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Chaos.Faults;

/// <summary>Injects one fault into a fleet, holds it, and heals it: when <see cref="ApplyAsync"/> returns, the fault has healed.</summary>
internal sealed class FaultInjector(ChaosFleet fleet, ElectionTimings timings, Random random, IReadOnlyList<FaultKind>? kinds = null)
{
    private static readonly HttpStatusCode[] Errors = [HttpStatusCode.InternalServerError, HttpStatusCode.ServiceUnavailable, HttpStatusCode.TooManyRequests];

    private IKubernetes? _editor;

    private ClusterFaults Faults => fleet.Cluster.Faults;

    /// <summary>Draws a fault the fleet can take (ours-only faults need one of ours leading, unless nothing else is allowed).</summary>
    public FaultKind Draw()
    {
        var choices = kinds is { Count: > 0 } ? kinds : Enum.GetValues<FaultKind>();
        for (var attempt = 0; ; attempt++)
        {
            var kind = choices[random.Next(choices.Count)];
            if (kind is FaultKind.LeaderWorkThrows or FaultKind.SlowStopRestart && fleet.Leader is not OurReplica && attempt < 100)
            {
                continue;
            }

            return kind;
        }
    }

    /// <summary>Applies <paramref name="kind"/>, holds it, heals it; returns what was done.</summary>
    public async Task<string> ApplyAsync(FaultKind kind, CancellationToken cancellationToken)
    {
        var hold = Hold();
        switch (kind)
        {
            case FaultKind.ApiErrors:
            {
                var target = Target(leaderBias: 0.5);
                var status = Errors[random.Next(Errors.Length)];
                var count = random.Next(1, 9);
                Faults.FailNext(target.Name, status, count);
                await DelayAsync(hold, cancellationToken);
                Faults.Clear(target.Name);
                return Describe($"{count} × {(int)status} on {target.Name}", hold);
            }

            case FaultKind.LatencySpike:
            {
                var target = Target(leaderBias: 0.5);
                var latency = timings.RenewDeadline * (0.05 + (random.NextDouble() * 0.9));
                Faults.AddLatency(target.Name, latency);
                await DelayAsync(hold, cancellationToken);
                Faults.AddLatency(target.Name, TimeSpan.Zero);
                return Describe($"latency {Ms(latency)} on {target.Name}", hold);
            }

            case FaultKind.PartitionLeaderReset or FaultKind.PartitionLeaderBlackhole:
            {
                var target = fleet.Leader ?? Target(leaderBias: 0);
                var mode = kind == FaultKind.PartitionLeaderReset ? PartitionMode.Reset : PartitionMode.Blackhole;
                return await PartitionAsync(target, mode, hold, "leader", cancellationToken);
            }

            case FaultKind.PartitionFollower:
            {
                var target = Follower() ?? Target(leaderBias: 0);
                var mode = random.Next(2) == 0 ? PartitionMode.Reset : PartitionMode.Blackhole;
                return await PartitionAsync(target, mode, hold, "follower", cancellationToken);
            }

            case FaultKind.WatchDrop:
            {
                var target = Target(leaderBias: 0.3);
                Faults.Partition(target.Name);
                Faults.Heal(target.Name);
                return $"connections of {target.Name} dropped";
            }

            case FaultKind.WatchGone:
            {
                var target = Target(leaderBias: 0.3);
                await LeaseEditor().CoordinationV1.PatchNamespacedLeaseAsync(Labels("gone"), ChaosFleet.LeaseName, ChaosFleet.Namespace, cancellationToken: cancellationToken);
                fleet.Cluster.CompactWatchHistory();
                Faults.Partition(target.Name);
                Faults.Heal(target.Name);
                return $"watch history compacted, connections of {target.Name} dropped (410 Gone on resume)";
            }

            case FaultKind.LeaseEdits:
            {
                var editor = LeaseEditor();
                var until = fleet.Recorder.Now + hold;
                var edits = 0;
                while (fleet.Recorder.Now < until)
                {
                    try
                    {
                        await editor.CoordinationV1.PatchNamespacedLeaseAsync(Labels(edits.ToString(CultureInfo.InvariantCulture)), ChaosFleet.LeaseName, ChaosFleet.Namespace, cancellationToken: cancellationToken);
                        edits++;
                    }
                    catch (k8s.Autorest.HttpOperationException)
                    {
                        // A Lease not created yet; the next edit may find it.
                    }

                    await DelayAsync(TimeSpan.FromMilliseconds(50 + random.Next(250)), cancellationToken);
                }

                return Describe($"{edits} Lease label/annotation edits by another client", hold);
            }

            case FaultKind.GracefulRestart:
            {
                var target = Target(leaderBias: 0.5);
                var wasLeader = target == fleet.Leader;
                await target.StopAsync();
                var down = timings.RetryPeriod * random.NextDouble();
                await DelayAsync(down, cancellationToken);
                target.Start();
                return $"graceful restart of {(wasLeader ? "leader " : "")}{target.Name} (down {Ms(down)})";
            }

            case FaultKind.Crash:
            {
                var target = Target(leaderBias: 0.5);
                var wasLeader = target == fleet.Leader;
                await target.CrashAsync(Faults);
                await DelayAsync(hold, cancellationToken);
                Faults.Heal(target.Name);
                target.Start();
                return Describe($"crash of {(wasLeader ? "leader " : "")}{target.Name} without release, restarted", hold);
            }

            case FaultKind.LeaderWorkThrows:
            {
                var target = fleet.Leader;
                var thrown = target?.FailLeaderWork() ?? false;
                return thrown ? $"leader work of {target!.Name} threw" : "leader work throw (no leader of ours at the time)";
            }

            case FaultKind.SlowStopRestart:
            {
                var target = fleet.Leader ?? Target(leaderBias: 1);
                var slow = timings.StopLeadingTimeout * (0.2 + (random.NextDouble() * 0.6));
                target.SlowStop = slow;
                await target.StopAsync();
                target.SlowStop = TimeSpan.Zero;
                target.Start();
                return $"restart of {target.Name} whose work stops in {Ms(slow)}";
            }

            case FaultKind.RollingRestart:
            {
                foreach (var replica in fleet.Replicas)
                {
                    await replica.StopAsync();
                    replica.Start();
                    await DelayAsync(timings.RetryPeriod * (1 + random.NextDouble()), cancellationToken);
                }

                return "rolling restart of the fleet";
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown fault.");
        }
    }

    private async Task<string> PartitionAsync(ChaosReplica target, PartitionMode mode, TimeSpan hold, string role, CancellationToken cancellationToken)
    {
        Faults.Partition(target.Name, mode);
        await DelayAsync(hold, cancellationToken);
        Faults.Heal(target.Name);
        return Describe($"partition ({mode.ToString().ToLowerInvariant()}) of {role} {target.Name}", hold);
    }

    /// <summary>How long a fault lasts: from a blip to longer than the Lease.</summary>
    private TimeSpan Hold() => timings.LeaseDuration * (0.1 + (random.NextDouble() * 1.4));

    private ChaosReplica Target(double leaderBias)
    {
        if (fleet.Leader is { } leader && random.NextDouble() < leaderBias)
        {
            return leader;
        }

        return fleet.Replicas[random.Next(fleet.Replicas.Count)];
    }

    private ChaosReplica? Follower()
    {
        var leader = fleet.Leader;
        var followers = fleet.Replicas.Where(r => r != leader).ToList();
        return followers.Count == 0 ? null : followers[random.Next(followers.Count)];
    }

    private IKubernetes LeaseEditor() => _editor ??= fleet.Cluster.CreateClient("lease-editor");

    private static V1Patch Labels(string value) =>
        new("{\"metadata\":{\"labels\":{\"chaos\":\"" + value + "\"},\"annotations\":{\"chaos/edit\":\"" + value + "\"}}}", V1Patch.PatchType.MergePatch);

    private static Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) => Task.Delay(delay, cancellationToken);

    private static string Describe(string what, TimeSpan hold) => $"{what} for {Ms(hold)}";

    private static string Ms(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalMilliseconds:0} ms");
}
