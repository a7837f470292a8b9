using System.Diagnostics;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RoostKeeper.Ha;
using RoostKeeper.Ha.Sample;
using RoostKeeper.Ha.Testing;

// Three replicas of a controller elect a leader on a Lease, hand over gracefully, survive a crash and
// hand over to a chosen successor. Runs on the embedded SimulatedCluster, or on a real cluster with
// --kubeconfig <path> (the crash step needs the simulation's fault injection and is skipped there).
var kubeconfig = SampleArguments.Value(args, "--kubeconfig");
var clock = Stopwatch.StartNew();
var log = new Timeline(clock);

await using var cluster = kubeconfig is null ? await SimulatedCluster.StartAsync() : null;
log.Say(cluster is null ? $"Using the cluster in {kubeconfig}" : $"SimulatedCluster listening on {cluster.BaseAddress}");
IKubernetes ClientFor(string name) => cluster?.CreateClient(name) ?? new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));

var ns = SampleArguments.Value(args, "--namespace") ?? "roost-keeper-system";
await using (var admin = new DisposableClient(ClientFor("admin")))
{
    await SampleCluster.EnsureNamespaceAsync(admin.Client, ns);
}

var replicas = new List<Replica>();
foreach (var name in new[] { "replica-a", "replica-b", "replica-c" })
{
    var replica = new Replica(name, ClientFor(name), ns, log);
    replicas.Add(replica);
    await replica.StartAsync();
}

log.Section("1. Election: three replicas, one Lease");
var first = await Replica.WaitForLeaderAsync(replicas, log);
log.Say($"{first.Name} leads (term {first.Manager.Leadership!.Term}); the others follow {replicas.First(r => r != first).Manager.LeaderIdentity}");

log.Section("2. Graceful stop of the leader: its work stops, then it releases the Lease");
var stoppedAt = clock.Elapsed;
await first.StopAsync();
var second = await Replica.WaitForLeaderAsync(replicas, log);
log.Say($"{second.Name} took over {Timeline.Ms(log.StartedAt(second.Name) - stoppedAt)} after the stop began");

if (cluster is not null)
{
    log.Section("3. Crash: the leader is cut off from the API server");
    var cutAt = clock.Elapsed;
    cluster.Faults.Partition(second.Name);
    var third = await Replica.WaitForLeaderAsync(replicas.Where(r => r != second).ToList(), log);
    log.Say($"{second.Name} stepped down {Timeline.Ms(log.StoppedAt(second.Name) - cutAt)} after the cut (RenewDeadline 10 s); " +
            $"{third.Name} took over {Timeline.Ms(log.StartedAt(third.Name) - cutAt)} after it (LeaseDuration 15 s from its last observed renewal)");
    cluster.Faults.Heal(second.Name);
    await Task.Delay(TimeSpan.FromSeconds(3));
    log.Say($"healed: {second.Name} follows {second.Manager.LeaderIdentity}; leaders now: {string.Join(", ", replicas.Where(r => r.Manager.IsLeader).Select(r => r.Name))}");
}

log.Section("4. Planned hand-over to a chosen successor");
var current = replicas.Single(r => r.Manager.IsLeader);
var successor = replicas.First(r => r != current && r.IsRunning);
var handedAt = clock.Elapsed;
await current.Manager.TriggerFailoverAsync(successor.Name);
await Replica.WaitForLeaderAsync([successor], log);
log.Say($"{current.Name} handed over to {successor.Name} in {Timeline.Ms(log.StartedAt(successor.Name) - handedAt)}");

var status = await successor.Manager.GetStatusAsync();
log.Section("Status");
log.Say($"{status.Identity}: leader={status.IsLeader} term={status.Term} transitions={status.LeaderTransitions} health={status.ClusterHealth} watching={status.IsWatching}");
if (cluster is not null)
{
    log.Say($"API requests served: {cluster.Requests.Total}");
}

foreach (var replica in replicas)
{
    await replica.DisposeAsync();
}

log.Say("done");
