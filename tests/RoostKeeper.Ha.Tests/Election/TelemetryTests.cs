using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using RoostKeeper.Ha.Diagnostics;

namespace RoostKeeper.Ha.Tests.Election;

public sealed class TelemetryTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Metrics_count_leader_changes_failures_renewals_and_report_who_leads()
    {
        await using var h = new ElectionHarness();
        var measurements = new ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter == h.Metrics.Meter)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Enqueue((i.Name, v, ToDictionary(tags))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Enqueue((i.Name, v, ToDictionary(tags))));
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => measurements.Enqueue((i.Name, v, ToDictionary(tags))));
        listener.Start();

        var a = await h.StartLeaderAsync("a");
        var b = h.StartReplica("b");
        await h.RunForAsync(TimeSpan.FromSeconds(5));

        listener.RecordObservableInstruments();
        var gauge = measurements.Where(m => m.Instrument == HaInstruments.LeaderElectionIsLeader).ToList();
        Assert.Contains(gauge, m => (string?)m.Tags["identity"] == "a" && m.Value == 1);
        Assert.Contains(gauge, m => (string?)m.Tags["identity"] == "b" && m.Value == 0);
        Assert.Contains(measurements, m => m.Instrument == "roost_keeper.leader_election.renew.duration");
        Assert.Single(measurements, m => m.Instrument == "roost_keeper.leader_election.changes" && (string?)m.Tags["identity"] == "a");

        a.Client.Partition();
        Assert.True(await h.RunUntilAsync(() => b.IsLeader, Minute));

        Assert.Contains(measurements, m => m.Instrument == "roost_keeper.leader_election.failures" && (string?)m.Tags["operation"] == "renew");
        Assert.Contains(measurements, m => m.Instrument == "roost_keeper.leader_election.failures" && (string?)m.Tags["operation"] == "watch");
        Assert.Single(measurements, m => m.Instrument == "roost_keeper.leader_election.changes" && (string?)m.Tags["identity"] == "b");
    }

    [Fact]
    public async Task Acquire_renew_and_release_each_produce_an_activity()
    {
        var identity = $"traced-{Guid.NewGuid():N}";
        var activities = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == HaTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if ((string?)activity.GetTagItem("identity") == identity)
                {
                    activities.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        await using var h = new ElectionHarness();
        var a = await h.StartLeaderAsync(identity);
        await h.RunForAsync(TimeSpan.FromSeconds(3));
        await a.StopAsync();

        var names = activities.Select(x => x.OperationName).ToList();
        Assert.Equal("roost_keeper.lease.acquire", names[0]);
        Assert.Contains("roost_keeper.lease.renew", names);
        Assert.Equal("roost_keeper.lease.release", names[^1]);
        Assert.All(activities, x => Assert.Equal($"{InMemoryLease.Namespace}/{InMemoryLease.Name}", x.GetTagItem("lease")));
    }

    private static Dictionary<string, object?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            result[tag.Key] = tag.Value;
        }

        return result;
    }
}
