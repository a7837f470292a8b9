using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RoostKeeper.Ha.Chaos.Sharding;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Sharding;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Chaos.Fleet;

/// <summary>
/// A replica as an application runs RoostKeeper.Ha: a generic host with <c>AddRoostHa</c> and, when
/// <see cref="ShardedSetup.Sharded"/>, <c>AddShardedLeadership</c>, on its own named client and clock. Every
/// shard's work is recorded in RoostKeeper.Ha.Testing's ShardOwnershipRecorder and a <see cref="ShardIntervalRecorder"/>, and every term in the LeadershipRecorder. A
/// graceful stop stops the host (shards handed over, Leases released); a crash cuts the client off first and
/// stops the host with an already-cancelled token, so it gives nothing up. Each run after the first has a client
/// of its own (named after its identity), so the cut-off client of a crashed run stays cut off for good: whatever
/// the stopped host might still do in the background never reaches the API server, as with a dead process.
/// </summary>
internal sealed class ShardedReplica : ChaosReplica
{
    private readonly ShardIntervalRecorder _shards;
    private readonly ShardOwnershipRecorder _ownershipRecorder;
    private readonly ShardedSetup _setup;
    private readonly TimeProvider _clock;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly Func<string, IKubernetes> _clientFor;
    private string _clientName;
    private IKubernetes _client;
    private IShardOwnership? _ownership;
    private TermToken? _leading;

    public ShardedReplica(string name, Func<string, IKubernetes> clientFor, string leaseNamespace, string leaseName, ElectionTimings timings, LeadershipRecorder recorder,
        ShardIntervalRecorder shards, ShardOwnershipRecorder ownershipRecorder, ShardedSetup setup, TimeProvider? clock = null, ILoggerFactory? loggerFactory = null)
        : this(name, clientFor, clientFor(name), leaseNamespace, leaseName, timings, recorder, shards, ownershipRecorder, setup, clock, loggerFactory)
    {
    }

    private ShardedReplica(string name, Func<string, IKubernetes> clientFor, IKubernetes first, string leaseNamespace, string leaseName, ElectionTimings timings, LeadershipRecorder recorder,
        ShardIntervalRecorder shards, ShardOwnershipRecorder ownershipRecorder, ShardedSetup setup, TimeProvider? clock, ILoggerFactory? loggerFactory)
        : base(name, first, leaseNamespace, leaseName, timings, recorder)
    {
        _ownershipRecorder = ownershipRecorder;
        _clientFor = clientFor;
        _clientName = name;
        _client = first;
        _shards = shards;
        _setup = setup;
        _clock = clock ?? TimeProvider.System;
        _loggerFactory = loggerFactory;
    }

    /// <summary>The client name of the current run: the replica's name for the first run, its identity after.</summary>
    public override string FaultName => Volatile.Read(ref _clientName);

    public override string Elector => _setup.Sharded ? "RoostKeeper.Ha sharded" : "RoostKeeper.Ha";

    /// <summary>The running host's shard ownership; null while stopped or in single-leader mode.</summary>
    public IShardOwnership? Ownership => Volatile.Read(ref _ownership);

    /// <summary>True while this replica leads (its leader token is not cancelled).</summary>
    public bool Leads => Volatile.Read(ref _leading) is { Token.IsCancellationRequested: false };

    /// <summary>The current leader term's token; cancelled (or none) when it does not lead.</summary>
    public CancellationToken LeaderToken => Volatile.Read(ref _leading)?.Token ?? new CancellationToken(true);

    public override TimeSpan SlowStop { get; set; }

    /// <summary>The clock this replica runs on.</summary>
    public TimeProvider Clock => _clock;

    protected override async Task RunAsync(string identity, CancellationToken stop)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton(Volatile.Read(ref _client));
        builder.Services.AddSingleton(_clock);
        if (_loggerFactory is not null)
        {
            builder.Services.AddSingleton(_loggerFactory);
        }

        var ha = builder.Services.AddRoostHa(o =>
        {
            o.LeaseName = LeaseName;
            o.LeaseNamespace = LeaseNamespace;
            o.Identity = identity;
            o.LeaseDuration = Timings.LeaseDuration;
            o.RenewDeadline = Timings.RenewDeadline;
            o.RetryPeriod = Timings.RetryPeriod;
            o.StopLeadingTimeout = Timings.StopLeadingTimeout;
        });
        ha.OnStartedLeading(LeadAsync);
        if (_setup.Sharded)
        {
            ha.AddShardedLeadership(o =>
            {
                o.Shards = _setup.Shards;
                o.DrainTimeout = _setup.DrainTimeout;
            });
            ha.OnShardAcquired(WorkOnShardAsync);
        }

        using var host = builder.Build();
        if (_setup.Sharded)
        {
            Volatile.Write(ref _ownership, host.Services.GetRequiredService<IShardOwnership>());
        }

        try
        {
            await host.StartAsync(CancellationToken.None);
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, stop);
            }
            catch (OperationCanceledException)
            {
                // The stop: graceful or a crash, below.
            }

            // A crash gives nothing up: the host's stop token is cancelled already, so its services abandon
            // whatever they would hand over (the client is cut off anyway).
            await host.StopAsync(Crashing ? new CancellationToken(true) : CancellationToken.None);
        }
        finally
        {
            Volatile.Write(ref _ownership, null);
        }
    }

    protected override void OnStarting(string identity)
    {
        if (identity == $"{Name}-1")
        {
            return;
        }

        Volatile.Write(ref _client, _clientFor(identity));
        Volatile.Write(ref _clientName, identity);
    }

    protected override void OnStopped() => _shards.Stopped(Name);

    private async Task LeadAsync(Leadership leadership, CancellationToken term)
    {
        // The interval ends the instant the leader token is cancelled, not when this work returns.
        Recorder.Track(Name, leadership.Term, term);
        var leading = new TermToken(term);
        Volatile.Write(ref _leading, leading);
        try
        {
            await (_setup.LeaderWork?.Invoke(this, term) ?? WaitAsync(term));
        }
        finally
        {
            Interlocked.CompareExchange(ref _leading, null, leading);
        }
    }

    private async Task WorkOnShardAsync(OwnedShard shard, CancellationToken token)
    {
        // Two records of the same work: the library's ShardOwnershipRecorder, whose intervals end only when this
        // callback returns (a crashed run's too: its work must stop by the liveness guard, as behind a partition),
        // and the runner's, which also ends them when the process is stopped (for holders and balance).
        using var recorded = _ownershipRecorder.Started(Name, shard.Shard, shard.Term);
        var interval = _shards.Begin(Name, shard.Shard, shard.Term);
        await using var cancelled = token.Register(() => _shards.Cancelled(interval));
        try
        {
            await (_setup.ShardWork?.Invoke(this, shard, token) ?? WaitAsync(token));
            if (SlowStop > TimeSpan.Zero)
            {
                // Work that notices cancellation late: the shard must not be released before it returns.
                await Task.Delay(SlowStop, _clock, CancellationToken.None);
            }
        }
        finally
        {
            _shards.End(interval);
        }
    }

    /// <summary>A term's token in a box, so it can be swapped atomically.</summary>
    private sealed record TermToken(CancellationToken Token);

    private static async Task WaitAsync(CancellationToken token)
    {
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
