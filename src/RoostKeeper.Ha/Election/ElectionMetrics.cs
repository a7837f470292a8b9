using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using RoostKeeper.Ha.Diagnostics;

namespace RoostKeeper.Ha.Election;

/// <summary>
/// The leader-election instruments of the "RoostKeeper.Ha" meter, named by <see cref="HaInstruments"/>;
/// Prometheus exporters show them as <c>roost_keeper_leader_election_changes_total</c>, <c>roost_keeper_leader_election_is_leader</c>,
/// <c>roost_keeper_leader_election_renew_duration_seconds</c>,
/// <c>roost_keeper_leader_election_failures_total</c> and
/// <c>roost_keeper_leader_election_watch_events_total</c>.
/// </summary>
internal sealed class ElectionMetrics : IDisposable
{
    private readonly Meter? _ownedMeter;
    private readonly ConcurrentDictionary<object, Func<(bool IsLeader, string Identity, string Lease)>> _electors = new();

    public ElectionMetrics(IMeterFactory? meterFactory = null)
    {
        var meter = HaTelemetry.CreateMeter(meterFactory, out _ownedMeter);

        Meter = meter;
        LeaderChanges = meter.CreateCounter<long>(HaInstruments.LeaderElectionChanges, "{change}", "Times this replica became leader.");
        Failures = meter.CreateCounter<long>(HaInstruments.LeaderElectionFailures, "{failure}", "Failed Lease operations, by operation (acquire, renew, release, read, watch, work).");
        WatchEvents = meter.CreateCounter<long>(HaInstruments.LeaderElectionWatchEvents, "{event}", "Watch events received for the Lease: the cost of following it by watch.");
        RenewDuration = meter.CreateHistogram<double>(HaInstruments.LeaderElectionRenewDuration, "s", "Latency of successful Lease renewals.");
        meter.CreateObservableGauge(HaInstruments.LeaderElectionIsLeader, ObserveLeaders, "{leader}", "1 while this replica leads, else 0, per identity.");
    }

    /// <summary>The meter the instruments belong to (shared when it came from an <see cref="IMeterFactory"/>).</summary>
    public Meter Meter { get; }

    public Counter<long> LeaderChanges { get; }

    public Counter<long> Failures { get; }

    public Counter<long> WatchEvents { get; }

    public Histogram<double> RenewDuration { get; }

    /// <summary>Includes an elector in the is_leader gauge until the returned handle is disposed.</summary>
    public IDisposable Track(Func<(bool IsLeader, string Identity, string Lease)> state)
    {
        var key = new object();
        _electors[key] = state;
        return new Untrack(() => _electors.TryRemove(key, out _));
    }

    public void Dispose() => _ownedMeter?.Dispose();

    private IEnumerable<Measurement<int>> ObserveLeaders()
    {
        foreach (var state in _electors.Values)
        {
            var (isLeader, identity, lease) = state();
            yield return new Measurement<int>(isLeader ? 1 : 0, new("identity", identity), new("lease", lease));
        }
    }

    private sealed class Untrack(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
