using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using RoostKeeper.Ha.Diagnostics;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Sharding;
using RoostKeeper.Ha.Testing;
using RoostKeeper.Ha.Tests.Election;

namespace RoostKeeper.Ha.Tests.Sharding;

/// <summary>
/// Replicas running election (on an <see cref="InMemoryLease"/>) and sharding (on <see cref="InMemoryShardLeases"/>)
/// under one <see cref="FakeTimeProvider"/>; every shard's work is recorded by a <see cref="ShardOwnershipRecorder"/>.
/// </summary>
internal sealed class ShardHarness : IAsyncDisposable
{
    private readonly List<Replica> _replicas = [];

    public ShardHarness(int shards = 16)
    {
        Shards = shards;
        Recorder = new ShardOwnershipRecorder(Time);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));

    public int Shards { get; }

    /// <summary>Whether replicas added from now on log to <see cref="Timeline"/>.</summary>
    public bool Log { get; set; }

    /// <summary>The log lines of this harness's replicas (with <see cref="Log"/>), stamped with the fake time.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Timeline { get; } = new();

    private Microsoft.Extensions.Logging.ILoggerFactory Loggers => NullLoggerFactory.Instance;

    public InMemoryLease Election { get; } = new();

    public InMemoryShardLeases Leases { get; } = new();

    public ShardOwnershipRecorder Recorder { get; }

    public ElectionMetrics Metrics { get; } = new();

    public TimeSpan LeaseDuration { get; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; } = TimeSpan.FromSeconds(2);

    public string TableName => InMemoryLease.Name + "-shards";

    public TimeSpan Now => Recorder.Now;

    public IReadOnlyList<Replica> Replicas => _replicas;

    public Replica Add(string name, int? shards = null, Func<OwnedShard, CancellationToken, Task>? work = null, TimeSpan? drainTimeout = null)
    {
        var electionClient = Election.ClientFor(name);
        var settings = new ElectionSettings(name, InMemoryLease.Namespace, InMemoryLease.Name, LeaseDuration, RenewDeadline, RetryPeriod, true, TimeSpan.FromSeconds(10), null);
        var manager = new HaManager(electionClient, settings, Loggers, Time, Metrics);
        var shardClient = Leases.ClientFor(name);
        var shardSettings = new ShardSettings(name, InMemoryShardLeases.Namespace, TableName, shards ?? Shards, LeaseDuration, RenewDeadline, RetryPeriod, drainTimeout ?? TimeSpan.FromSeconds(10), null);
        var shardWork = new ShardWork();
        shardWork.AddAcquired("recorded", (shard, token) => Recorder.RunAsync(name, shard.Shard, shard.Term, token, work is null ? null : t => work(shard, t)));
        var coordinator = new ShardCoordinator(manager.Elector, shardClient, shardSettings, shardWork, Log ? new TimelineLogger(() => Now, name, Timeline) : NullLogger.Instance, Time);
        var replica = new Replica(this, name, manager, electionClient, shardClient, coordinator);
        _replicas.Add(replica);
        return replica;
    }

    public Replica Start(string name, int? shards = null, Func<OwnedShard, CancellationToken, Task>? work = null)
    {
        var replica = Add(name, shards, work);
        replica.Start();
        return replica;
    }

    /// <summary>The shard table as stored.</summary>
    public ShardTable? Table() =>
        Leases.Get(TableName)?.Metadata?.Annotations?.TryGetValue(ShardTable.Annotation, out var text) == true && ShardTable.TryParse(text, out var table, out _) ? table : null;

    /// <summary>Whether every live replica holds and works on its balanced share and the table agrees.</summary>
    public bool Balanced(params Replica[] live)
    {
        if (Table() is not { } table || live.Length == 0)
        {
            return false;
        }

        var counts = live.Select(r => r.Ownership.OwnedShards.Count).ToArray();
        var floor = Shards / live.Length;
        return counts.Sum() == Shards
            && counts.All(c => c == floor || c == floor + 1)
            && table.Entries.All(e => e.Holder is not null && e.Holder == e.Target && live.Any(r => r.Name == e.Holder))
            && live.All(r => r.Ownership.OwnedShards.All(s => table.Entries[s.Shard].Holder == r.Name));
    }

    public async Task<bool> RunUntilAsync(Func<bool> condition, TimeSpan limit, TimeSpan? step = null)
    {
        var stepBy = step ?? TimeSpan.FromMilliseconds(100);
        var end = Now + limit;
        while (true)
        {
            await ElectionHarness.SettleAsync();
            if (condition())
            {
                return true;
            }

            if (Now >= end)
            {
                return false;
            }

            Time.Advance(stepBy);
        }
    }

    public Task RunForAsync(TimeSpan span) => RunUntilAsync(() => false, span);

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            await replica.KillAsync();
        }

        Metrics.Dispose();
    }

    internal sealed class Replica(ShardHarness harness, string name, HaManager manager, InMemoryLease.Client electionClient, InMemoryShardLeases.Client shardClient, ShardCoordinator coordinator)
    {
        private CancellationTokenSource? _stop;
        private Task? _election;
        private Task? _sharding;

        public string Name { get; } = name;

        public HaManager Manager { get; } = manager;

        public ShardCoordinator Coordinator { get; } = coordinator;

        public ShardOwnership Ownership => Coordinator.Ownership;

        public InMemoryShardLeases.Client ShardClient { get; } = shardClient;

        public InMemoryLease.Client ElectionClient { get; } = electionClient;

        public bool IsLeader => Manager.IsLeader;

        public bool Running => _sharding is { IsCompleted: false };

        public void Start()
        {
            _stop = new CancellationTokenSource();
            _election = Manager.StartLeaderElectionAsync(_stop.Token);
            _sharding = Coordinator.RunAsync(_stop.Token);
        }

        /// <summary>A graceful stop, in the host's order: sharding drains and leaves, then the election stops.</summary>
        public async Task StopAsync()
        {
            var drain = Coordinator.DrainAsync(CancellationToken.None);
            Assert.True(await harness.RunUntilAsync(() => drain.IsCompleted, TimeSpan.FromMinutes(1)), $"{Name} did not drain");
            await _stop!.CancelAsync();
            Assert.True(await harness.RunUntilAsync(() => _sharding!.IsCompleted, TimeSpan.FromMinutes(1)), $"{Name}'s sharding did not stop");
            await Coordinator.LeaveAsync(CancellationToken.None);
            Assert.True(await harness.RunUntilAsync(() => _election!.IsCompleted, TimeSpan.FromMinutes(1)), $"{Name}'s election did not stop");
        }

        /// <summary>Cuts the replica off the API server; it keeps running (its guard must stop its work).</summary>
        public void Partition()
        {
            ShardClient.Partition();
            ElectionClient.Partition();
        }

        /// <summary>The process dies: no more requests, and its work ends with it.</summary>
        public async Task KillAsync()
        {
            if (_stop is null || _sharding is null)
            {
                return;
            }

            Partition();
            await _stop.CancelAsync();
            await harness.RunUntilAsync(() => _sharding.IsCompleted && _election!.IsCompleted, TimeSpan.FromMinutes(1));
            _stop = null;
            Manager.Dispose();
        }
    }
}
