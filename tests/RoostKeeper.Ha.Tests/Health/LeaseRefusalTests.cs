using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Tests.Health;

/// <summary>A configuration that can never work (RBAC, a missing namespace) makes the leader election check Unhealthy, logged once.</summary>
public sealed class LeaseRefusalTests
{
    private const string Check = "leader-election";

    [Fact]
    public async Task A_Lease_namespace_that_does_not_exist_is_unhealthy_with_the_fix_and_logged_once()
    {
        await using var kit = await HealthTestKit.StartAsync();
        var logs = new LogCollector();
        using var manager = Elector(kit.Cluster, "replica-a", "no-such-namespace", logs);
        using var stop = new CancellationTokenSource();
        var election = manager.StartLeaderElectionAsync(stop.Token);
        var health = kit.Manager(h => h.AddLeaderElection(), haManager: manager);

        var entry = await HealthTestKit.CheckUntilAsync(health, Check, e => e.Status == HealthStatus.Unhealthy);

        Assert.Contains("no-such-namespace does not exist", entry.Description, StringComparison.Ordinal);
        Assert.Contains("kubectl create namespace no-such-namespace", entry.Description, StringComparison.Ordinal);
        Assert.Equal(404, entry.Data["refusedStatus"]);

        // Many more refusals later: still one error line, and the warnings do not grow with them.
        await UntilAsync(() => kit.Cluster.Requests.Count("replica-a", "create", "leases") >= 15, "15 refused creates");
        Assert.Single(logs.WithId(1016));
        Assert.Equal(LogLevel.Error, logs.WithId(1016)[0].Level);
        Assert.True(logs.At(LogLevel.Warning).Count(e => e.Level == LogLevel.Warning) <= 2, string.Join("\n", logs.At(LogLevel.Warning).Select(e => e.Message)));
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Information && e.Exception is not null);

        await stop.CancelAsync();
        await election;
    }

    [Fact]
    public async Task Missing_RBAC_is_unhealthy_naming_the_verb_and_the_rule_to_add_and_recovers_when_granted()
    {
        await using var kit = await HealthTestKit.StartAsync();
        var logs = new LogCollector();
        kit.Cluster.Faults.FailNext("replica-a", HttpStatusCode.Forbidden, count: 100_000);
        using var manager = Elector(kit.Cluster, "replica-a", kit.Namespace, logs);
        using var stop = new CancellationTokenSource();
        var election = manager.StartLeaderElectionAsync(stop.Token);
        var health = kit.Manager(h => h.AddLeaderElection(), haManager: manager);

        var refused = await HealthTestKit.CheckUntilAsync(health, Check, e => e.Status == HealthStatus.Unhealthy && e.Data.ContainsKey("refusedStatus"));

        Assert.Contains("cannot get Lease roost-system/roost", refused.Description, StringComparison.Ordinal);
        Assert.Contains("403", refused.Description, StringComparison.Ordinal);
        Assert.Contains("resources [\"leases\"], verbs [\"get\", \"list\", \"watch\", \"create\", \"update\"]", refused.Description, StringComparison.Ordinal);
        Assert.Single(logs.WithId(1016));

        kit.Cluster.Faults.Clear("replica-a"); // the Role is granted
        var granted = await HealthTestKit.CheckUntilAsync(health, Check, e => e.Status != HealthStatus.Unhealthy);
        Assert.DoesNotContain("cannot", granted.Description, StringComparison.Ordinal);
        await UntilAsync(() => manager.IsLeader, "replica-a to lead once allowed");

        await stop.CancelAsync();
        await election;
    }

    [Fact]
    public async Task A_few_refusals_are_not_yet_a_configuration_problem()
    {
        await using var kit = await HealthTestKit.StartAsync();
        kit.Cluster.Faults.FailNext("replica-a", HttpStatusCode.Forbidden, count: 2);
        using var manager = Elector(kit.Cluster, "replica-a", kit.Namespace, new LogCollector());
        using var stop = new CancellationTokenSource();
        var election = manager.StartLeaderElectionAsync(stop.Token);

        await UntilAsync(() => manager.IsLeader, "replica-a to lead after two refusals");
        var health = kit.Manager(h => h.AddLeaderElection(), haManager: manager);

        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(CancellationToken.None)).Entries[Check].Status);

        await stop.CancelAsync();
        await election;
    }

    private static HaManager Elector(SimulatedCluster cluster, string name, string ns, ILoggerFactory logs) =>
        new(cluster.CreateClient(name), new LeaderElectionOptions
        {
            LeaseName = "roost",
            LeaseNamespace = ns,
            Identity = name,
            LeaseDuration = TimeSpan.FromSeconds(1),
            RenewDeadline = TimeSpan.FromMilliseconds(500),
            RetryPeriod = TimeSpan.FromMilliseconds(200),
        }, logs);

    private static Task UntilAsync(Func<bool> condition, string what) =>
        Eventually.UntilAsync(condition, what, HealthTestKit.Patience, TimeSpan.FromMilliseconds(20));
}
