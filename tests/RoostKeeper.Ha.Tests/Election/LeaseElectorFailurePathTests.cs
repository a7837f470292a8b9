using k8s.Models;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RoostKeeper.Ha.Tests.Election;

/// <summary>
/// The elector's failure paths on a fake clock: every way out of leading must cancel the leader token, await
/// the work, run OnStoppedLeading once, clear IsLeader, complete a pending failover and keep competing.
/// </summary>
public sealed class LeaseElectorFailurePathTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Renewal_conflict_whose_reread_outlives_the_deadline_steps_down_once_and_keeps_competing()
    {
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");
        var b = h.StartReplica("b");
        await h.RunForAsync(TimeSpan.FromSeconds(3));

        a.Client.ReadGate = token => Task.Delay(Timeout.Infinite, token); // the re-read after the 409 hangs
        h.Lease.Edit(l => l.Metadata.Labels = new Dictionary<string, string> { ["team"] = "birds" });

        Assert.True(await h.RunUntilAsync(() => h.Events("stopped").Any(e => e.Replica == "a"), Minute), "a never stepped down after its renew deadline");
        Assert.False(a.Run.IsCompleted, $"a stopped competing: {a.Run.Exception?.InnerException?.Message}");

        // a may win its own record back at once (its writes still work), or b may win it: never both.
        Assert.True(await h.RunUntilAsync(() => a.IsLeader || b.IsLeader, Minute));
        Assert.False(a.IsLeader && b.IsLeader);
        await AssertSteppedDownOnceAsync(h, "a", stillLeading: a.IsLeader);
    }

    [Fact]
    public async Task Stopping_while_a_renewal_reread_is_in_flight_cancels_the_work_and_returns_cleanly()
    {
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");
        var gets = a.Client.Gets;
        a.Client.ReadGate = token => Task.Delay(Timeout.Infinite, token); // the re-read (and the release's) hang
        h.Lease.Edit(l => l.Metadata.Labels = new Dictionary<string, string> { ["team"] = "birds" });
        Assert.True(await h.RunUntilAsync(() => a.Client.Gets > gets, Minute), "the renewal did not re-read");

        await a.StopAsync(); // throws if the run faulted

        Assert.False(a.IsLeader);
        await AssertSteppedDownOnceAsync(h, "a");
        Assert.Contains(h.Timeline, e => e.Replica == "a" && e.What == "work-ended");
    }

    [Fact]
    public async Task Renewal_error_that_arrives_after_the_deadline_steps_down_once_and_keeps_competing()
    {
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");
        var b = h.StartReplica("b");
        await h.RunForAsync(TimeSpan.FromSeconds(3));

        a.Client.WriteGate = FailLate;

        Assert.True(await h.RunUntilAsync(() => !a.IsLeader, Minute), "a kept IsLeader after its renew deadline");
        Assert.True(await h.RunUntilAsync(() => b.IsLeader, Minute));
        await AssertSteppedDownOnceAsync(h, "a");
        Assert.False(a.Run.IsCompleted, $"a stopped competing: {a.Run.Exception?.InnerException?.Message}");
    }

    [Fact]
    public async Task Pending_failover_completes_when_the_term_ends_at_the_deadline_instead()
    {
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");
        var replaces = a.Client.Replaces;
        a.Client.WriteGate = FailLate;
        Assert.True(await h.RunUntilAsync(() => a.Client.Replaces > replaces, Minute));

        var handover = a.Manager.TriggerFailoverAsync();

        Assert.True(await h.RunUntilAsync(() => handover.IsCompleted, Minute), "TriggerFailoverAsync never completed");
        Assert.False(await handover); // nothing was handed over: the term ended at its deadline
        Assert.False(a.IsLeader);
        await AssertSteppedDownOnceAsync(h, "a");
        Assert.False(a.Run.IsCompleted);
    }

    [Fact]
    public async Task Release_whose_conflict_reread_hangs_completes_the_failover_and_keeps_competing()
    {
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");
        a.Client.WriteGate = (lease, _) =>
        {
            if (lease.Spec.HolderIdentity == "")
            {
                // Someone edits the Lease just before the release lands; the re-read then hangs.
                h.Lease.Edit(l => l.Metadata.Labels = new Dictionary<string, string> { ["team"] = "birds" });
                a.Client.ReadGate = token => Task.Delay(Timeout.Infinite, token);
            }

            return Task.CompletedTask;
        };

        var handover = a.Manager.TriggerFailoverAsync();

        Assert.True(await h.RunUntilAsync(() => handover.IsCompleted, Minute), "TriggerFailoverAsync never completed");
        Assert.False(await handover);
        Assert.False(a.IsLeader);
        await AssertSteppedDownOnceAsync(h, "a");
        Assert.False(a.Run.IsCompleted, $"a stopped competing: {a.Run.Exception?.InnerException?.Message}");
    }

    [Fact]
    public async Task Leader_token_callback_that_throws_does_not_stop_the_step_down()
    {
        await using var h = new ElectionHarness();
        var a = h.Add("a", async (_, token) =>
        {
            token.Register(() => throw new InvalidOperationException("a token callback that throws"));
            await Task.Delay(Timeout.Infinite, token);
        });
        a.Start();
        Assert.True(await h.RunUntilAsync(() => a.IsLeader, Minute));

        await a.StopAsync(); // throws if the run faulted

        Assert.False(a.IsLeader);
        await AssertSteppedDownOnceAsync(h, "a");
        Assert.Equal("", h.Lease.Current!.Spec.HolderIdentity);
    }

    [Fact]
    public async Task Renewal_conflict_that_shows_another_holder_ends_the_term_at_once()
    {
        await using var h = new ElectionHarness();
        var a = h.Add("a");
        a.Client.WatchBroken = true; // only the renewal's 409 can tell a that the Lease was taken
        a.Start();
        Assert.True(await h.RunUntilAsync(() => a.IsLeader, Minute));
        TimeSpan? conflictAt = null;
        a.Client.BeforeWrite = _ =>
        {
            if (conflictAt is null)
            {
                conflictAt = h.Now;
                h.Lease.Edit(l =>
                {
                    l.Spec.HolderIdentity = "intruder";
                    l.Spec.LeaseTransitions++;
                });
            }
        };

        Assert.True(await h.RunUntilAsync(() => !a.IsLeader, Minute));

        var cut = h.Events("token-cancelled").Single().At;
        Assert.True(cut - conflictAt < TimeSpan.FromSeconds(1), $"the 409 came at {conflictAt}, the term ended at {cut}");
    }

    [Fact]
    public async Task Lost_term_is_handled_before_a_pending_failover_and_nothing_is_written_over_the_new_holder()
    {
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");
        var inFlight = new TaskCompletionSource();
        var proceed = new TaskCompletionSource();
        a.Client.WriteGate = async (_, _) =>
        {
            if (inFlight.TrySetResult())
            {
                await proceed.Task; // hold one renewal in flight
            }
        };
        Assert.True(await h.RunUntilAsync(() => inFlight.Task.IsCompleted, Minute));
        var writes = a.Client.Replaces;

        var handover = a.Manager.TriggerFailoverAsync("c");
        h.Lease.Edit(l =>
        {
            l.Spec.HolderIdentity = "intruder";
            l.Spec.LeaseTransitions++;
        });
        proceed.SetResult(); // the renewal now gets a 409 and the re-read shows the intruder

        Assert.True(await h.RunUntilAsync(() => handover.IsCompleted, Minute));
        Assert.False(await handover);
        Assert.Equal(writes, a.Client.Replaces); // no release or hand-over attempted over the intruder's record
        Assert.Equal("intruder", h.Lease.Current!.Spec.HolderIdentity);
        await AssertSteppedDownOnceAsync(h, "a");
    }

    [Fact]
    public async Task Failing_work_with_a_failing_release_holds_off_and_lets_another_replica_lead()
    {
        await using var h = new ElectionHarness();
        var a = h.Add("a", async (_, _) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1), h.Time, CancellationToken.None);
            throw new InvalidOperationException("controller crashed");
        });
        a.Client.BeforeWrite = lease =>
        {
            if (lease.Spec.HolderIdentity == "")
            {
                throw new HttpRequestException("503 Service Unavailable");
            }
        };
        a.Start();
        Assert.True(await h.RunUntilAsync(() => a.IsLeader, Minute));
        var b = h.StartReplica("b");

        Assert.True(await h.RunUntilAsync(() => b.IsLeader, TimeSpan.FromMinutes(2)), "a kept retaking its own Lease");
        Assert.InRange(h.Events("started").Count(e => e.Replica == "a"), 1, 2);
    }

    [Fact]
    public async Task Resource_versions_that_go_backwards_are_followed_without_a_request_storm()
    {
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");
        var b = h.StartReplica("b");
        await h.RunForAsync(TimeSpan.FromSeconds(40)); // versions climb well above the restored one

        h.Lease.RestoreWithVersion(3);
        var requests = b.Client.Gets + b.Client.Replaces + b.Client.Creates;
        await h.RunForAsync(TimeSpan.FromSeconds(18));

        Assert.True(a.IsLeader);
        Assert.False(b.IsLeader);
        Assert.InRange(b.Client.Gets + b.Client.Replaces + b.Client.Creates - requests, 0, 30);
        Assert.Equal("a", h.Lease.Current!.Spec.HolderIdentity);
    }

    [Fact]
    public async Task Term_keeps_growing_when_the_lease_is_deleted_and_recreated()
    {
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");
        var b = h.StartReplica("b");
        await a.StopAsync();
        Assert.True(await h.RunUntilAsync(() => b.IsLeader, Minute));
        var seen = b.Manager.Leadership!.Term;

        h.Lease.Delete();
        Assert.True(await h.RunUntilAsync(() => h.Lease.Current is not null && b.IsLeader, Minute));

        Assert.True(b.Manager.Leadership!.Term > seen, $"term {b.Manager.Leadership.Term} after term {seen}");
        Assert.True(h.Lease.Current!.Spec.LeaseTransitions > seen);
    }

    [Fact]
    public async Task Hand_over_record_starts_a_new_term_for_a_successor_that_treats_it_as_its_own()
    {
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");
        var term = a.Manager.Leadership!.Term;

        Assert.True(await a.Manager.TriggerFailoverAsync("client-go-replica").WaitAsync(TimeSpan.FromSeconds(30)));

        var lease = h.Lease.Current!;
        Assert.Equal("client-go-replica", lease.Spec.HolderIdentity);
        Assert.True(lease.Spec.LeaseTransitions > term, "a client-go successor renewing this record would share a's term");
    }

    [Fact]
    public async Task Stale_hand_over_mark_does_not_let_the_named_replica_skip_expiry()
    {
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");
        Assert.True(await a.Manager.TriggerFailoverAsync("s").WaitAsync(TimeSpan.FromSeconds(30)));

        // "s" took the hand-over with an elector that treats it as a renewal (client-go) and renewed it.
        h.Lease.Edit(l =>
        {
            l.Spec.RenewTime = h.Time.GetUtcNow().UtcDateTime.AddSeconds(1);
            l.Spec.LeaseDurationSeconds = 15; // client-go writes its own duration with each renewal
        });
        var s = h.StartReplica("s");
        await h.RunForAsync(TimeSpan.FromSeconds(5));

        Assert.False(s.IsLeader, "a mark consumed by the successor's own renewal let another process skip expiry");
    }

    [Fact]
    public async Task Acquire_error_that_arrives_after_stop_does_not_fail_the_run()
    {
        await using var h = new ElectionHarness();
        await SeedReleasedLeaseAsync(h);
        var b = h.Add("b");
        b.Client.WriteGate = FailLate;
        b.Start();
        var replaces = b.Client.Replaces;
        Assert.True(await h.RunUntilAsync(() => b.Client.Replaces > replaces, Minute), "b did not try to acquire");

        await b.StopAsync(); // throws if the run faulted
    }

    [Fact]
    public async Task Slow_OnNewLeader_handler_does_not_hold_up_acquiring_or_renewing()
    {
        await using var h = new ElectionHarness();
        using var release = new ManualResetEventSlim();
        var a = h.Add("a");
        a.Manager.OnNewLeader(_ => release.Wait(TimeSpan.FromMinutes(1)));
        try
        {
            a.Start();
            Assert.True(await h.RunUntilAsync(() => a.IsLeader, Minute), "a blocked in OnNewLeader while acquiring");
            await h.RunForAsync(TimeSpan.FromSeconds(20));
            Assert.True(a.IsLeader);
        }
        finally
        {
            release.Set();
        }
    }

    [Fact]
    public async Task Status_read_times_out_on_the_time_provider_and_reports_the_api_unreachable()
    {
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");
        a.Client.ReadGate = token => Task.Delay(Timeout.Infinite, token);

        var status = a.Manager.GetStatusAsync();

        Assert.True(await h.RunUntilAsync(() => status.IsCompleted, Minute), "the status read is not bounded on the TimeProvider");
        Assert.Equal(HealthStatus.Unhealthy, (await status).ClusterHealth);
        Assert.False((await status).ApiReachable);
        Assert.Equal(0, (await status).Term);
        Assert.True(a.IsLeader);
    }

    /// <summary>A write that hangs until its attempt is cancelled, then fails as a late error response would.</summary>
    private static async Task FailLate(V1Lease lease, CancellationToken token)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, token);
        }
        catch (OperationCanceledException)
        {
        }

        throw new HttpRequestException("the response arrived after the caller gave up");
    }

    /// <summary>Every term <paramref name="replica"/> ended had its token cancelled and OnStoppedLeading run, once, in that order.</summary>
    private static async Task AssertSteppedDownOnceAsync(ElectionHarness h, string replica, bool stillLeading = false)
    {
        // OnStoppedLeading runs after IsLeader turns false and the token is cancelled (the step-down may first wait
        // for the work to drain), so a successor can lead before it has run: wait for it, then count exactly.
        List<string> Events() => h.Timeline.Where(e => e.Replica == replica).Select(e => e.What).ToList();
        int Ended(List<string> what) => what.Count(w => w == "started") - (stillLeading ? 1 : 0);
        await h.RunUntilAsync(() => Events() is var seen && seen.Count(w => w == "stopped") >= Ended(seen), TimeSpan.FromMinutes(1));

        var what = Events();
        var ended = Ended(what);
        Assert.Equal(ended, what.Count(w => w == "stopped"));
        Assert.Equal(ended, what.Count(w => w == "token-cancelled"));
        Assert.True(what.IndexOf("token-cancelled") < what.IndexOf("stopped"), string.Join(", ", what));
    }

    private static Task SeedReleasedLeaseAsync(ElectionHarness h) =>
        h.Lease.ClientFor("old").CreateAsync(
            new V1Lease
            {
                Metadata = new V1ObjectMeta { Name = InMemoryLease.Name, NamespaceProperty = InMemoryLease.Namespace },
                Spec = new V1LeaseSpec { HolderIdentity = "", LeaseDurationSeconds = 1, LeaseTransitions = 3 },
            },
            CancellationToken.None);
}
