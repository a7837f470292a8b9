using k8s.Models;
using RoostKeeper.Ha.Election;

namespace RoostKeeper.Ha.Tests.Election;

/// <summary>
/// Hand-overs that must not leave the Lease without an acting leader (client-go's timings, 15 s / 10 s / 2 s,
/// on a fake clock): a second hand-over back to a replica inside its hold-off, and a named successor that died.
/// </summary>
public sealed class HandOverTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_replica_that_just_lost_the_race_to_create_the_lease_takes_a_hand_over_to_it_at_once()
    {
        await using var h = new ElectionHarness();
        var a = h.Add("a");
        var b = h.Add("b");

        // Start-up: b finds no Lease, and its create is held until a has created it, so b loses the race and backs
        // off (RetryPeriod/2 … RetryPeriod). The gate runs on b's own call, before the store is touched, and awaits
        // rather than blocks: a blocked pool thread starved a's create on a loaded 2-core machine.
        b.Client.CreateGate = async (_, cancellationToken) =>
        {
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (h.Lease.Current is null && waited.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(1, cancellationToken);
            }
        };
        b.Start();
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref b.Client.Creates) > 0, TimeSpan.FromSeconds(30)), "b never tried to create the Lease");
        a.Start();
        Assert.True(await h.RunUntilAsync(() => a.IsLeader, Minute), "a never led");
        b.Client.CreateGate = null;
        Assert.False(b.IsLeader);

        var handedAt = h.Now;
        Assert.True(await a.Manager.TriggerFailoverAsync("b").WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(await h.RunUntilAsync(() => b.IsLeader, Minute), "b never took the term handed to it");

        var took = h.Events("started").Single(e => e.Replica == "b").At - handedAt;
        Assert.True(took < h.RetryPeriod / 2, $"b took {took} to take a term handed to it right after it lost the create race (its race back-off is {h.RetryPeriod / 2} to {h.RetryPeriod})");
    }

    [Fact]
    public async Task A_named_successor_inside_its_own_hold_off_takes_the_term_at_once()
    {
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");
        var b = h.StartReplica("b");
        var c = h.StartReplica("c");
        await h.RunForAsync(TimeSpan.FromSeconds(3));
        Assert.True(await a.Manager.TriggerFailoverAsync("b").WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(await h.RunUntilAsync(() => b.IsLeader, Minute));

        // 0.8 s later b hands back to a, which handed away and is in its hold-off (LeaseDuration + RetryPeriod).
        await h.RunForAsync(TimeSpan.FromMilliseconds(800));
        var handedBackAt = h.Now;
        var second = b.Manager.TriggerFailoverAsync("a");
        Assert.True(await h.RunUntilAsync(() => a.IsLeader, Minute), "a never took the term handed to it");

        Assert.True(await second);
        var took = h.Events("started").Last(e => e.Replica == "a").At - handedBackAt;
        Assert.True(took < h.RetryPeriod, $"a took {took} to take a term handed to it (its hold-off would be {h.LeaseDuration + h.RetryPeriod})");
        Assert.False(c.IsLeader);
    }

    [Fact]
    public async Task A_named_successor_that_died_leaves_the_lease_free_after_the_grace_not_a_lease_duration()
    {
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");
        var b = h.StartReplica("b");
        var c = h.StartReplica("c");
        await h.RunForAsync(TimeSpan.FromSeconds(3));
        b.Client.Partitioned = true; // b published Healthy a moment ago and is gone now

        var handedAt = h.Now;
        Assert.True(await a.Manager.TriggerFailoverAsync("b").WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(await h.RunUntilAsync(() => c.IsLeader, Minute), "nobody took the Lease of a dead successor");

        var gap = h.Events("started").Single(e => e.Replica == "c").At - handedAt;
        var grace = TimeSpan.FromSeconds(h.RetryPeriod.TotalSeconds * 2);
        Assert.InRange(gap, grace, grace + h.RetryPeriod);
        Assert.True(gap < h.LeaseDuration);
        Assert.False(a.IsLeader, "the replica that handed over stays out for its hold-off");
    }

    [Fact]
    public async Task A_hand_over_record_names_the_successor_with_the_grace_and_remembers_who_handed_over()
    {
        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync("a");

        Assert.True(await a.Manager.TriggerFailoverAsync("s").WaitAsync(TimeSpan.FromSeconds(30)));

        var lease = h.Lease.Current!;
        Assert.Equal("s", lease.Spec.HolderIdentity);
        Assert.Equal(4, lease.Spec.LeaseDurationSeconds); // 2 × RetryPeriod
        var remembered = Assert.Single(LeaseRecord.HandOvers(lease));
        Assert.Equal("a", remembered.From);
        Assert.InRange(remembered.At, h.Time.GetUtcNow().AddSeconds(-2), h.Time.GetUtcNow());
    }

    [Fact]
    public void The_lease_remembers_the_last_ten_hand_overs_and_skips_entries_it_cannot_read()
    {
        var now = new DateTime(2026, 12, 6, 12, 0, 0, DateTimeKind.Utc);
        var lease = new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = "l", Annotations = new Dictionary<string, string> { [LeaseRecord.HandOversAnnotation] = "x@not-a-time,@5,y@100" } },
            Spec = new V1LeaseSpec { HolderIdentity = "r0", LeaseTransitions = 0 },
        };
        Assert.Equal(["y"], LeaseRecord.HandOvers(lease).Select(h => h.From));

        for (var i = 0; i < 12; i++)
        {
            lease = LeaseRecord.ForHandOver(lease, $"r{i + 1}", 4, now.AddSeconds(i));
        }

        var remembered = LeaseRecord.HandOvers(lease);
        Assert.Equal(LeaseRecord.HandOverHistoryLimit, remembered.Count);
        Assert.Equal(Enumerable.Range(2, 10).Select(i => $"r{i}"), remembered.Select(r => r.From));
        Assert.Equal(new DateTimeOffset(now.AddSeconds(11)), remembered[^1].At);
    }
}
