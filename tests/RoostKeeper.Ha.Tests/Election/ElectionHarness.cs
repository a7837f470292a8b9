using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using RoostKeeper.Ha.Diagnostics;
using RoostKeeper.Ha.Election;

namespace RoostKeeper.Ha.Tests.Election;

/// <summary>Replicas electing on one <see cref="InMemoryLease"/> under a <see cref="FakeTimeProvider"/>.</summary>
internal sealed class ElectionHarness : IAsyncDisposable
{
    private readonly List<Replica> _replicas = [];

    public ElectionHarness(TimeSpan? leaseDuration = null, TimeSpan? renewDeadline = null, TimeSpan? retryPeriod = null, TimeSpan? maxClockSkew = null)
    {
        LeaseDuration = leaseDuration ?? TimeSpan.FromSeconds(15);
        RenewDeadline = renewDeadline ?? TimeSpan.FromSeconds(10);
        RetryPeriod = retryPeriod ?? TimeSpan.FromSeconds(2);
        MaxClockSkew = maxClockSkew;
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));

    public InMemoryLease Lease { get; } = new();

    public ElectionMetrics Metrics { get; } = new();

    /// <summary>Where the replicas added from now on log; nowhere by default.</summary>
    public Microsoft.Extensions.Logging.ILoggerFactory Loggers { get; set; } = NullLoggerFactory.Instance;

    public TimeSpan LeaseDuration { get; }

    public TimeSpan RenewDeadline { get; }

    public TimeSpan RetryPeriod { get; }

    public TimeSpan? MaxClockSkew { get; }

    /// <summary>Every replica's callbacks, in order, stamped with fake time.</summary>
    public ConcurrentQueue<(TimeSpan At, string Replica, string What)> Timeline { get; } = new();

    private DateTimeOffset Start { get; } = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    public TimeSpan Now => Time.GetUtcNow() - Start;

    public Replica Add(string name, Func<Leadership, CancellationToken, Task>? work = null, bool releaseOnCancel = true, TimeSpan? stopLeadingTimeout = null)
    {
        var client = Lease.ClientFor(name);
        var settings = new ElectionSettings(name, InMemoryLease.Namespace, InMemoryLease.Name, LeaseDuration, RenewDeadline, RetryPeriod, releaseOnCancel, stopLeadingTimeout ?? TimeSpan.FromSeconds(10), MaxClockSkew);
        var manager = new HaManager(client, settings, Loggers, Time, Metrics);
        var replica = new Replica(this, name, manager, client, work);
        _replicas.Add(replica);
        return replica;
    }

    /// <summary>Adds and starts a replica, and moves time on until it leads.</summary>
    public async Task<Replica> StartLeaderAsync(string name, Func<Leadership, CancellationToken, Task>? work = null)
    {
        var replica = Add(name, work);
        replica.Start();
        Assert.True(await RunUntilAsync(() => replica.IsLeader, TimeSpan.FromMinutes(1)), $"{name} did not become leader");
        return replica;
    }

    /// <summary>Adds and starts a replica.</summary>
    public Replica StartReplica(string name)
    {
        var replica = Add(name);
        replica.Start();
        return replica;
    }

    public void Record(string replica, string what) => Timeline.Enqueue((Now, replica, what));

    public IReadOnlyList<(TimeSpan At, string Replica, string What)> Events(string what) => Timeline.Where(e => e.What == what).ToList();

    /// <summary>
    /// Moves fake time forward in small steps, letting the replicas' continuations run between steps,
    /// until <paramref name="condition"/> holds or <paramref name="limit"/> of fake time has passed.
    /// </summary>
    public async Task<bool> RunUntilAsync(Func<bool> condition, TimeSpan limit, TimeSpan? step = null)
    {
        var stepBy = step ?? TimeSpan.FromMilliseconds(100);
        var end = Now + limit;
        while (true)
        {
            await SettleAsync();
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

    public static async Task SettleAsync()
    {
        for (var i = 0; i < 3; i++)
        {
            await Task.Delay(1);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }

        Metrics.Dispose();
    }

    internal sealed class Replica : IAsyncDisposable
    {
        private readonly ElectionHarness _harness;
        private CancellationTokenSource? _stop;
        private readonly ConcurrentBag<CancellationTokenRegistration> _registrations = [];
        private Task? _run;

        public Replica(ElectionHarness harness, string name, HaManager manager, InMemoryLease.Client client, Func<Leadership, CancellationToken, Task>? work)
        {
            _harness = harness;
            Name = name;
            Manager = manager;
            Client = client;
            manager.OnStartedLeading(async (leadership, token) =>
            {
                harness.Record(name, "started");
                Terms.Add(leadership.Term);
                // Kept past the work: cancelling runs the token's callbacks last-registered first, so the work's own
                // (Task.Delay's) can end it inline, and a registration disposed with the work would then never run.
                _registrations.Add(token.Register(() => harness.Record(name, "token-cancelled")));
                try
                {
                    if (work is not null)
                    {
                        await work(leadership, token);
                    }
                    else
                    {
                        await Task.Delay(Timeout.Infinite, token);
                    }
                }
                finally
                {
                    harness.Record(name, "work-ended");
                }
            });
            manager.OnStoppedLeading(() => harness.Record(name, "stopped"));
            manager.OnNewLeader(leader => NewLeaders.Enqueue(leader));
        }

        public string Name { get; }

        public HaManager Manager { get; }

        public InMemoryLease.Client Client { get; }

        public ConcurrentBag<long> Terms { get; } = [];

        public ConcurrentQueue<string> NewLeaders { get; } = new();

        public bool IsLeader => Manager.IsLeader;

        public Task Run => _run ?? Task.CompletedTask;

        public void Start()
        {
            _stop = new CancellationTokenSource();
            _run = Manager.StartLeaderElectionAsync(_stop.Token);
        }

        /// <summary>Stops the replica gracefully, moving fake time on until it has finished.</summary>
        public async Task StopAsync()
        {
            if (_stop is null || _run is null)
            {
                return;
            }

            await _stop.CancelAsync();
            Assert.True(await _harness.RunUntilAsync(() => _run.IsCompleted, TimeSpan.FromMinutes(1)), $"{Name} did not stop");
            await _run;
        }

        public async ValueTask DisposeAsync()
        {
            if (_stop is not null && _run is not null && !_run.IsCompleted)
            {
                Client.Partitioned = true; // do not wait on a release at teardown
                await _stop.CancelAsync();
                await _harness.RunUntilAsync(() => _run.IsCompleted, TimeSpan.FromMinutes(1));
            }

            Manager.Dispose();
            _stop?.Dispose();
            foreach (var registration in _registrations)
            {
                await registration.DisposeAsync();
            }
        }
    }
}
