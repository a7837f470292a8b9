using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using RoostKeeper.Ha.RollingUpdates;

namespace RoostKeeper.Ha.Tests.RollingUpdates;

/// <summary>The update's record (timeline, final time, progress reports) and its lock, on a fake clock.</summary>
public sealed class UpdateTrackerTests
{
    [Fact]
    public void Timeline_and_finish_time_come_from_the_time_provider_and_every_change_is_reported()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 19, 0, 0, TimeSpan.Zero));
        var reports = new List<RollingUpdateStatus>();
        var tracker = new UpdateTracker("upd-1", "ns", "roost", new Dictionary<string, string> { ["roost"] = "roost:v2" }, time, NullLogger.Instance, new SynchronousProgress<RollingUpdateStatus>(reports.Add));

        time.Advance(TimeSpan.FromSeconds(2));
        tracker.Enter(RollingUpdatePhase.Updating, "set image");
        tracker.Observe(new RolloutStatusReport(RolloutState.Waiting, "waiting", 3, 4, 1, 3, 3, 2, null), isRollback: false);
        tracker.Observe(new RolloutStatusReport(RolloutState.Waiting, "waiting", 3, 4, 1, 3, 3, 2, null), isRollback: false);
        time.Advance(TimeSpan.FromSeconds(5));
        var final = tracker.Enter(RollingUpdatePhase.Succeeded, "done");

        Assert.Equal(time.Start, final.StartedAt);
        Assert.Equal(time.Start.AddSeconds(7), final.FinishedAt);
        Assert.Equal(TimeSpan.FromSeconds(7), final.Duration);
        Assert.True(final.IsFinished);
        Assert.Equal([RollingUpdatePhase.Validating, RollingUpdatePhase.Updating, RollingUpdatePhase.Succeeded], final.Timeline.Select(e => e.Phase));
        Assert.Equal([time.Start, time.Start.AddSeconds(2), time.Start.AddSeconds(7)], final.Timeline.Select(e => e.At));
        Assert.Equal(3, reports.Count);
        Assert.Equal((4, 1, 3), (reports[1].CurrentReplicas, reports[1].UpdatedReplicas, reports[1].AvailableReplicas));
        Assert.Equal(1.0, final.Progress);
    }

    [Fact]
    public void Lock_round_trips_through_its_lease_and_one_without_holder_or_id_is_none()
    {
        var now = new DateTimeOffset(2026, 11, 28, 19, 0, 0, TimeSpan.Zero);
        var held = new UpdateLock("upd-1", "replica-a", now.AddMinutes(30));

        var lease = held.Write(null, "roost-system", "roost", now);

        Assert.Equal("roost-rollout-lock", lease.Metadata.Name);
        Assert.Equal("roost", lease.Metadata.Labels[UpdateLock.DeploymentLabel]);
        Assert.Equal(held, UpdateLock.Read(lease));
        Assert.Matches("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", UpdateLock.LeaseName(new string('d', 253)));
        Assert.True(UpdateLock.LeaseName(new string('d', 253)).Length <= 253);
        lease.Spec.HolderIdentity = "";
        Assert.Null(UpdateLock.Read(lease));
        lease.Spec.HolderIdentity = "replica-a";
        lease.Metadata.Annotations.Remove(UpdateLock.UpdateIdAnnotation);
        Assert.Null(UpdateLock.Read(lease));
    }
}
