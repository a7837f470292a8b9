using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using RoostKeeper.Ha.Diagnostics;

namespace RoostKeeper.Ha.Sharding;

/// <summary>
/// The sharding instruments of the "RoostKeeper.Ha" meter, named by <see cref="HaInstruments"/>; Prometheus exporters
/// show them as <c>roost_keeper_sharding_owned_shards</c>, <c>roost_keeper_sharding_moves_total</c> and
/// <c>roost_keeper_sharding_unowned_duration_seconds</c>.
/// </summary>
internal sealed class ShardingMetrics : IDisposable
{
    private readonly Meter? _ownedMeter;
    private readonly ConcurrentDictionary<object, Func<(string Identity, string Table, int Owned)>> _replicas = new();

    public ShardingMetrics(IMeterFactory? meterFactory = null)
    {
        var meter = HaTelemetry.CreateMeter(meterFactory, out _ownedMeter);
        Moves = meter.CreateCounter<long>(HaInstruments.ShardingMoves, "{shard}", "Shards this replica gave up or cleared, by reason (rebalance, crash, leave, step_down, deadline, failed).");
        Unowned = meter.CreateHistogram<double>(HaInstruments.ShardingUnownedDuration, "s", "How long a shard had no holder, observed when it gets one.");
        meter.CreateObservableGauge(HaInstruments.ShardingOwnedShards, Observe, "{shard}", "Shards this replica holds, per identity.");
    }

    public Counter<long> Moves { get; }

    public Histogram<double> Unowned { get; }

    public void RecordMoves(string table, string reason, int count)
    {
        if (count > 0)
        {
            Moves.Add(count, new KeyValuePair<string, object?>("table", table), new KeyValuePair<string, object?>("reason", reason));
        }
    }

    public void RecordUnowned(string table, int shard, double seconds) =>
        Unowned.Record(seconds, new KeyValuePair<string, object?>("table", table));

    /// <summary>Includes a replica in the owned_shards gauge until the returned handle is disposed.</summary>
    public IDisposable Track(Func<(string Identity, string Table, int Owned)> state)
    {
        var key = new object();
        _replicas[key] = state;
        return new Untrack(() => _replicas.TryRemove(key, out _));
    }

    public void Dispose() => _ownedMeter?.Dispose();

    private IEnumerable<Measurement<int>> Observe()
    {
        foreach (var state in _replicas.Values)
        {
            var (identity, table, owned) = state();
            yield return new Measurement<int>(owned, new("identity", identity), new("table", table));
        }
    }

    private sealed class Untrack(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
