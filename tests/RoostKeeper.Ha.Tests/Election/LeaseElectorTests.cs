using System.Globalization;
using k8s.Models;

namespace RoostKeeper.Ha.Tests.Election;

/// <summary>The election algorithm on a fake clock and an in-memory Lease (client-go's timings: 15 s / 10 s / 2 s).</summary>
public sealed class LeaseElectorTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task First_replica_creates_the_lease_and_leads_with_term_zero()
    {
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");
        var lease = h.Lease.Current!;
        Assert.Equal("a", lease.Spec.HolderIdentity);
        Assert.Equal(15, lease.Spec.LeaseDurationSeconds);
        Assert.Equal(0, lease.Spec.LeaseTransitions);
        Assert.Equal([0L], a.Terms);
        Assert.Equal(1, a.Client.Creates);
        Assert.Equal(["a"], a.NewLeaders);
    }

    [Fact]
    public async Task Leader_renews_every_retry_period_with_one_update_and_no_read()
    {
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");
        var gets = a.Client.Gets;
        var replaces = a.Client.Replaces;

        await h.RunForAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(gets, a.Client.Gets);
        Assert.InRange(a.Client.Replaces - replaces, 9, 11);
        Assert.True(a.IsLeader);
        Assert.Equal(["started"], h.Timeline.Select(e => e.What));
    }

    [Fact]
    public async Task Follower_does_not_act_while_the_leader_renews()
    {
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");
        var b = h.StartReplica("b");

        await h.RunForAsync(TimeSpan.FromMinutes(2));

        Assert.True(a.IsLeader);
        Assert.False(b.IsLeader);
        Assert.Equal(0, b.Client.Replaces + b.Client.Creates);
        Assert.Equal(1, b.Client.Watches);
        Assert.Equal("a", b.Manager.LeaderIdentity);
    }

    [Fact]
    public async Task Partitioned_leader_steps_down_at_its_renew_deadline_before_the_follower_takes_over()
    {
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");
        var b = h.StartReplica("b");
        await h.RunForAsync(TimeSpan.FromSeconds(5));

        var lastRenew = h.Lease.Writes.Count;
        a.Client.Partition();
        Assert.True(await h.RunUntilAsync(() => b.IsLeader, Minute));

        var cut = h.Events("token-cancelled").Single(e => e.Replica == "a").At;
        var taken = h.Events("started").Single(e => e.Replica == "b").At;
        var stopped = h.Events("stopped").Single(e => e.Replica == "a").At;
        Assert.True(cut <= stopped, "the leader token is cancelled before OnStoppedLeading");

        // a stopped at most RenewDeadline after its last successful renewal was sent; b counted LeaseDuration
        // from its observation of that renewal; the gap is at least LeaseDuration - RenewDeadline.
        Assert.True(taken - cut >= h.LeaseDuration - h.RenewDeadline - h.RetryPeriod, $"a stopped at {cut}, b started at {taken}");
        Assert.False(a.IsLeader);
        Assert.Equal(1, b.Terms.Single());
        Assert.True(lastRenew < h.Lease.Writes.Count);
    }

    [Fact]
    public async Task Follower_judges_expiry_on_its_own_clock_whatever_the_holders_clock_says()
    {
        await using var h = new ElectionHarness();

        // A holder whose wall clock is an hour behind wrote this renewTime just now; a naive follower
        // comparing renewTime with its own clock would take the lease at once.
        await SeedLeaseAsync(h, "skewed-holder", h.Time.GetUtcNow().UtcDateTime.AddHours(-1), transitions: 4);

        var b = await h.StartLeaderAsync("b");

        var taken = h.Events("started").Single().At;
        Assert.True(taken >= h.LeaseDuration, $"took over at {taken}, before a full LeaseDuration from its first observation");
        Assert.Equal(5, b.Terms.Single());
    }

    [Fact]
    public async Task Cold_start_fast_path_trusts_an_old_renew_time_only_when_configured()
    {
        await using var h = new ElectionHarness(maxClockSkew: TimeSpan.FromSeconds(5));
        await SeedLeaseAsync(h, "dead-holder", h.Time.GetUtcNow().UtcDateTime.AddMinutes(-10), transitions: 1);

        var b = await h.StartLeaderAsync("b");
        Assert.True(h.Events("started").Single().At < TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task Renew_conflict_from_an_unrelated_edit_rereads_and_keeps_leading()
    {
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");

        h.Lease.Edit(l => l.Metadata.Labels = new Dictionary<string, string> { ["team"] = "birds" });
        await h.RunForAsync(TimeSpan.FromSeconds(10));

        Assert.True(a.IsLeader);
        Assert.Equal(["started"], h.Timeline.Select(e => e.What));
        Assert.Equal("birds", h.Lease.Current!.Metadata.Labels["team"]);
        Assert.True(h.Lease.Current!.Spec.RenewTime > h.Time.GetUtcNow().UtcDateTime.AddSeconds(-3));
    }

    [Fact]
    public async Task Edits_by_other_clients_do_not_delay_the_take_over_of_a_dead_leaders_lease()
    {
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");
        var b = h.StartReplica("b");
        await h.RunForAsync(TimeSpan.FromSeconds(5));

        // a dies; another client keeps editing the Lease's labels, each edit a new resourceVersion. Only a
        // change of the election record restarts a follower's LeaseDuration, as in client-go.
        a.Client.Partition();
        var cut = h.Now;
        for (var i = 0; i < 40 && !b.IsLeader; i++)
        {
            h.Lease.Edit(l => l.Metadata.Labels = new Dictionary<string, string> { ["edit"] = i.ToString(CultureInfo.InvariantCulture) });
            await h.RunForAsync(TimeSpan.FromSeconds(1));
        }

        Assert.True(b.IsLeader, "b never took over while the Lease was being edited");
        var taken = h.Events("started").Single(e => e.Replica == "b").At;
        Assert.True(taken - cut <= h.LeaseDuration + h.RetryPeriod + TimeSpan.FromSeconds(1), $"a was cut off at {cut}, b took over at {taken}");
    }

    [Fact]
    public async Task Leader_steps_down_at_once_when_another_holder_is_written_over_its_term()
    {
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");
        var before = h.Now;

        h.Lease.Edit(l =>
        {
            l.Spec.HolderIdentity = "intruder";
            l.Spec.LeaseTransitions++;
        });
        Assert.True(await h.RunUntilAsync(() => !a.IsLeader, Minute));

        Assert.True(h.Events("token-cancelled").Single().At - before < h.RetryPeriod);
        Assert.Equal(["started", "token-cancelled", "stopped", "work-ended"], h.Timeline.Select(e => e.What).Where(w => w != "work-ended").Append("work-ended"));
    }

    [Fact]
    public async Task Graceful_stop_cancels_work_waits_for_it_then_releases()
    {
        await using var h = new ElectionHarness();
        var workDone = false;
        var a = h.Add("a", async (_, token) =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, token);
            }
            finally
            {
                await Task.Delay(TimeSpan.FromSeconds(3), h.Time, CancellationToken.None); // cleanup that takes a while
                workDone = true;
            }
        });
        var releasedWhileWorking = false;
        a.Client.BeforeWrite = lease =>
        {
            if (lease.Spec.HolderIdentity == "")
            {
                releasedWhileWorking = !workDone;
            }
        };
        a.Start();
        Assert.True(await h.RunUntilAsync(() => a.IsLeader, Minute));

        await a.StopAsync();

        Assert.True(workDone);
        Assert.False(releasedWhileWorking, "the Lease was released while leader work was still running");
        var lease = h.Lease.Current!;
        Assert.Equal("", lease.Spec.HolderIdentity);
        Assert.Equal(1, lease.Spec.LeaseDurationSeconds);
        Assert.Equal(["started", "token-cancelled", "work-ended", "stopped"], h.Timeline.Select(e => e.What));
    }

    [Fact]
    public async Task Graceful_stop_keeps_the_lease_when_work_ignores_cancellation()
    {
        await using var h = new ElectionHarness();
        var a = h.Add("a", (_, _) => Task.Delay(Timeout.InfiniteTimeSpan, h.Time, CancellationToken.None), stopLeadingTimeout: TimeSpan.FromSeconds(5));
        a.Start();
        Assert.True(await h.RunUntilAsync(() => a.IsLeader, Minute));

        await a.StopAsync();

        Assert.Equal("a", h.Lease.Current!.Spec.HolderIdentity);
        Assert.Contains(h.Timeline, e => e.What == "stopped");
    }

    [Fact]
    public async Task Released_lease_is_taken_by_a_watching_follower_without_waiting_for_expiry()
    {
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");
        var b = h.StartReplica("b");
        await h.RunForAsync(TimeSpan.FromSeconds(4));

        var stopAt = h.Now;
        await a.StopAsync();
        Assert.True(await h.RunUntilAsync(() => b.IsLeader, Minute));

        Assert.True(h.Events("started").Single(e => e.Replica == "b").At - stopAt < TimeSpan.FromSeconds(1));
        Assert.Equal(0, b.Client.Gets - 1);
    }

    [Fact]
    public async Task Replica_that_lost_leadership_competes_again_in_the_same_process()
    {
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");
        var b = h.StartReplica("b");
        await h.RunForAsync(TimeSpan.FromSeconds(3));

        a.Client.Partition();
        Assert.True(await h.RunUntilAsync(() => b.IsLeader, Minute));
        a.Client.Partitioned = false;
        await h.RunForAsync(TimeSpan.FromSeconds(30));
        Assert.False(a.IsLeader);

        await b.StopAsync();
        Assert.True(await h.RunUntilAsync(() => a.IsLeader, Minute));
        Assert.Equal([0L, 2L], a.Terms.OrderBy(t => t));
        Assert.Equal(2, h.Events("started").Count(e => e.Replica == "a"));
    }

    [Fact]
    public async Task OnStoppedLeading_fires_only_for_a_replica_that_led()
    {
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");
        var b = h.StartReplica("b");
        await h.RunForAsync(TimeSpan.FromSeconds(5));

        await b.StopAsync();

        Assert.DoesNotContain(h.Timeline, e => e.Replica == "b");
        Assert.Equal("a", h.Lease.Current!.Spec.HolderIdentity);
    }

    [Fact]
    public async Task Failing_leader_work_ends_the_term_and_lets_another_replica_lead()
    {
        await using var h = new ElectionHarness();
        var attempts = 0;
        var a = h.Add("a", async (_, _) =>
        {
            attempts++;
            await Task.Delay(TimeSpan.FromSeconds(1), h.Time, CancellationToken.None);
            throw new InvalidOperationException("controller crashed");
        });
        a.Start();
        Assert.True(await h.RunUntilAsync(() => a.IsLeader, Minute));
        var b = await h.StartLeaderAsync("b");
        Assert.False(a.IsLeader);
        Assert.Equal(1, attempts);
        Assert.True(h.Events("started").Single(e => e.Replica == "b").At < h.LeaseDuration, "a released its Lease when its work failed");
    }

    [Fact]
    public async Task Failover_to_a_preferred_successor_hands_over_at_once_and_others_wait()
    {
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");
        var b = h.Add("b");
        var c = h.Add("c");
        b.Start();
        c.Start();
        await h.RunForAsync(TimeSpan.FromSeconds(5));

        var at = h.Now;
        var handover = a.Manager.TriggerFailoverAsync("c");
        Assert.True(await h.RunUntilAsync(() => c.IsLeader, Minute));

        Assert.True(await handover);
        Assert.True(h.Events("started").Single(e => e.Replica == "c").At - at < TimeSpan.FromSeconds(1));
        Assert.False(b.IsLeader);
        Assert.False(a.IsLeader);
        Assert.DoesNotContain(LeaseElectorAnnotation, h.Lease.Current!.Metadata.Annotations?.Keys ?? []);
        await h.RunForAsync(TimeSpan.FromSeconds(30));
        Assert.True(c.IsLeader);
    }

    [Fact]
    public async Task Failover_on_a_follower_reports_false_and_changes_nothing()
    {
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");
        var b = h.StartReplica("b");
        await h.RunForAsync(TimeSpan.FromSeconds(3));

        Assert.False(await b.Manager.TriggerFailoverAsync());
        await Assert.ThrowsAsync<ArgumentException>(() => a.Manager.TriggerFailoverAsync("a"));
        Assert.True(a.IsLeader);
    }

    [Fact]
    public async Task Follower_falls_back_to_polling_when_it_cannot_watch()
    {
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");
        var b = h.Add("b");
        b.Client.WatchBroken = true;
        b.Start();
        await h.RunForAsync(TimeSpan.FromSeconds(30));

        Assert.False(b.IsLeader);
        Assert.False((await b.Manager.GetStatusAsync()).IsWatching);
        Assert.InRange(b.Client.Gets, 10, 20);
        await a.StopAsync();
        Assert.True(await h.RunUntilAsync(() => b.IsLeader, Minute));
        Assert.True(h.Events("started").Single(e => e.Replica == "b").At - h.Events("stopped").Single().At <= h.RetryPeriod + TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Watch_that_expires_rereads_and_resumes()
    {
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");
        var b = h.StartReplica("b");
        await h.RunForAsync(TimeSpan.FromSeconds(3));

        var gets = b.Client.Gets;
        h.Lease.CompactHistory();
        h.Lease.DropWatches();
        await h.RunForAsync(TimeSpan.FromSeconds(10));

        Assert.True(b.Client.Gets > gets);
        Assert.True((await b.Manager.GetStatusAsync()).IsWatching);
        Assert.False(b.IsLeader);
    }

    [Fact]
    public async Task Status_reports_leader_term_transitions_and_health()
    {
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");
        var b = h.StartReplica("b");
        await h.RunForAsync(TimeSpan.FromSeconds(3));

        var leader = await a.Manager.GetStatusAsync();
        var follower = await b.Manager.GetStatusAsync();
        Assert.Equal(("a", true, "a", 0L, Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy), (leader.Identity, leader.IsLeader, leader.LeaderIdentity, leader.Term, leader.ClusterHealth));
        Assert.Equal(("b", false, "a", (long?)null, Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy), (follower.Identity, follower.IsLeader, follower.LeaderIdentity, follower.Term, follower.ClusterHealth));
        Assert.NotNull(follower.LastRenewTime);

        b.Client.Partition();
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy, (await b.Manager.GetStatusAsync()).ClusterHealth);
    }

    /// <summary>A Lease written by a holder outside the test, with the renewTime its own clock gave it.</summary>
    private static Task SeedLeaseAsync(ElectionHarness h, string holder, DateTime renewTime, int transitions) =>
        h.Lease.ClientFor(holder).CreateAsync(
            new V1Lease
            {
                Metadata = new V1ObjectMeta { Name = InMemoryLease.Name, NamespaceProperty = InMemoryLease.Namespace },
                Spec = new V1LeaseSpec { HolderIdentity = holder, LeaseDurationSeconds = 15, AcquireTime = renewTime, RenewTime = renewTime, LeaseTransitions = transitions },
            },
            CancellationToken.None);

    private const string LeaseElectorAnnotation = RoostKeeper.Ha.Election.LeaseRecord.HandoffAnnotation;
}
