using Microsoft.Extensions.Diagnostics.HealthChecks;
using RoostKeeper.Ha.AspNetCore.Probes;

namespace RoostKeeper.Ha.AspNetCore.Tests.Probes;

/// <summary>The watchdog rule on plain facts: a leader past its limit is unhealthy, a follower never is.</summary>
public sealed class ElectionWatchdogTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan RenewDeadline = TimeSpan.FromSeconds(10);

    [Fact]
    public void A_leader_that_renewed_within_the_deadline_is_healthy()
    {
        var entry = ElectionWatchdog.Judge("a", running: true, isLeader: true, Now - TimeSpan.FromSeconds(9), Now, RenewDeadline, "RenewDeadline");

        Assert.Equal(HealthStatus.Healthy, entry.Status);
    }

    [Fact]
    public void A_leader_past_its_renew_deadline_is_unhealthy_and_says_by_how_much()
    {
        var entry = ElectionWatchdog.Judge("a", running: true, isLeader: true, Now - TimeSpan.FromSeconds(11), Now, RenewDeadline, "RenewDeadline");

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal("a acts as leader but last renewed its Lease 11s ago, more than RenewDeadline (10s).", entry.Description);
        Assert.Equal(11.0, entry.Data["secondsSinceRenew"]);
    }

    [Fact]
    public void A_leader_with_no_observed_renewal_is_unhealthy()
    {
        var entry = ElectionWatchdog.Judge("a", running: true, isLeader: true, null, Now, RenewDeadline, "RenewDeadline");

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("never", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void A_follower_is_healthy_however_old_the_renewal_it_saw()
    {
        var entry = ElectionWatchdog.Judge("b", running: true, isLeader: false, Now - TimeSpan.FromHours(1), Now, RenewDeadline, "RenewDeadline");

        Assert.Equal(HealthStatus.Healthy, entry.Status);
    }

    [Fact]
    public void A_replica_whose_election_loop_is_not_running_is_unhealthy_leader_or_not()
    {
        var follower = ElectionWatchdog.Judge("b", running: false, isLeader: false, Now, Now, RenewDeadline, "RenewDeadline");

        Assert.Equal(HealthStatus.Unhealthy, follower.Status);
        Assert.Equal("The election loop of b is not running (not started, stopped or failed).", follower.Description);
        Assert.Equal(false, follower.Data["electionRunning"]);
    }
}
