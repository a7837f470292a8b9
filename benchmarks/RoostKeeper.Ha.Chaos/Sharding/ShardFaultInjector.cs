using System.Globalization;
using System.Net;
using RoostKeeper.Ha.Chaos.Fleet;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Chaos.Sharding;

/// <summary>Injects one fault into a sharded fleet, holds it, and heals it: when <see cref="ApplyAsync"/> returns, the fault has healed.</summary>
internal sealed class ShardFaultInjector(ShardedFleet fleet, ShardChaosSettings settings, Random random)
{
    private static readonly HttpStatusCode[] Errors = [HttpStatusCode.InternalServerError, HttpStatusCode.ServiceUnavailable, HttpStatusCode.TooManyRequests];

    private ClusterFaults Faults => fleet.Cluster.Faults;

    private ElectionTimings Timings => settings.Timings;

    public ShardFaultKind Draw()
    {
        var choices = settings.Kinds is { Count: > 0 } kinds ? kinds : Enum.GetValues<ShardFaultKind>();
        return choices[random.Next(choices.Count)];
    }

    /// <summary>Applies <paramref name="kind"/>, holds it, heals it; returns what was done.</summary>
    public async Task<string> ApplyAsync(ShardFaultKind kind, CancellationToken cancellationToken)
    {
        var hold = Hold();
        switch (kind)
        {
            case ShardFaultKind.Join:
            {
                var stopped = fleet.Replicas.Where(r => !r.Running).ToList();
                var joining = stopped.Count > 0
                    ? stopped[random.Next(stopped.Count)]
                    : fleet.Replicas.Count < settings.Replicas + 2 ? fleet.Add() : null;
                if (joining is null)
                {
                    return "join (none: the fleet is at its largest)";
                }

                joining.Start();
                return $"{joining.Name} joins ({Running()} running)";
            }

            case ShardFaultKind.Leave:
            {
                if (Running() <= Math.Max(2, settings.Replicas - 2))
                {
                    return "leave (none: the fleet is at its smallest)";
                }

                var target = Target(leaderBias: 0.5, runningOnly: true);
                var wasLeader = target == fleet.Leader;
                await target.StopAsync();
                return $"graceful leave of {(wasLeader ? "leader " : "")}{target.Name} ({Running()} running)";
            }

            case ShardFaultKind.Crash:
            {
                var target = Target(leaderBias: 0.5, runningOnly: true);
                var wasLeader = target == fleet.Leader;
                await target.CrashAsync(Faults);
                await DelayAsync(hold, cancellationToken);

                // A new process with a client of its own; the crashed one's stays cut off.
                target.Start();
                return Describe($"crash of {(wasLeader ? "leader " : "")}{target.Name} without release, restarted", hold);
            }

            case ShardFaultKind.PartitionLeader or ShardFaultKind.PartitionMember:
            {
                var leader = fleet.Leader;
                var followers = fleet.Replicas.Where(r => r.Running && r != leader).ToList();
                var target = kind == ShardFaultKind.PartitionLeader && leader is not null ? leader
                    : followers.Count > 0 ? followers[random.Next(followers.Count)] : Target(0, runningOnly: true);
                var mode = random.Next(2) == 0 ? PartitionMode.Reset : PartitionMode.Blackhole;
                Faults.Partition(target.FaultName, mode);
                await DelayAsync(hold, cancellationToken);
                Faults.Heal(target.FaultName);
                return Describe($"partition ({mode.ToString().ToLowerInvariant()}) of {(target == leader ? "leader" : "member")} {target.Name}", hold);
            }

            case ShardFaultKind.ApiErrors:
            {
                var target = Target(leaderBias: 0.5, runningOnly: true);
                var status = Errors[random.Next(Errors.Length)];
                var count = random.Next(1, 9);
                Faults.FailNext(target.FaultName, status, count);
                await DelayAsync(hold, cancellationToken);
                Faults.Clear(target.FaultName);
                return Describe($"{count} × {(int)status} on {target.Name}", hold);
            }

            case ShardFaultKind.LatencySpike:
            {
                var target = Target(leaderBias: 0.5, runningOnly: true);
                var latency = Timings.RenewDeadline * (0.05 + (random.NextDouble() * 0.9));
                Faults.AddLatency(target.FaultName, latency);
                await DelayAsync(hold, cancellationToken);
                Faults.AddLatency(target.FaultName, TimeSpan.Zero);
                return Describe($"latency {Ms(latency)} on {target.Name}", hold);
            }

            case ShardFaultKind.WatchDrop:
            {
                var target = Target(leaderBias: 0.3, runningOnly: true);
                Faults.Partition(target.FaultName);
                Faults.Heal(target.FaultName);
                return $"connections of {target.Name} dropped";
            }

            case ShardFaultKind.GracefulRestart:
            {
                var target = Target(leaderBias: 0.5, runningOnly: true);
                var wasLeader = target == fleet.Leader;
                await target.StopAsync();
                target.Start();
                return $"graceful restart of {(wasLeader ? "leader " : "")}{target.Name}";
            }

            case ShardFaultKind.SlowStopRestart:
            {
                var target = Target(leaderBias: 0.5, runningOnly: true);
                var slow = settings.DrainTimeout * (0.2 + (random.NextDouble() * 0.6));
                target.SlowStop = slow;
                await target.StopAsync();
                target.SlowStop = TimeSpan.Zero;
                target.Start();
                return $"restart of {target.Name} whose shards' work stops in {Ms(slow)}";
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown fault.");
        }
    }

    private int Running() => fleet.Replicas.Count(r => r.Running);

    /// <summary>How long a fault lasts: from a blip to longer than the Lease.</summary>
    private TimeSpan Hold() => Timings.LeaseDuration * (0.1 + (random.NextDouble() * 1.4));

    private ShardedReplica Target(double leaderBias, bool runningOnly)
    {
        if (fleet.Leader is { } leader && random.NextDouble() < leaderBias)
        {
            return leader;
        }

        var candidates = fleet.Replicas.Where(r => !runningOnly || r.Running).ToList();
        if (candidates.Count == 0)
        {
            candidates = [.. fleet.Replicas];
        }

        return candidates[random.Next(candidates.Count)];
    }

    private static Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) => Task.Delay(delay, cancellationToken);

    private static string Describe(string what, TimeSpan hold) => $"{what} for {Ms(hold)}";

    private static string Ms(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalMilliseconds:0} ms");
}
