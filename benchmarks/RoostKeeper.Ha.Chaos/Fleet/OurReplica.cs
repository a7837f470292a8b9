using k8s;
using Microsoft.Extensions.Logging;
using RoostKeeper.Ha.Chaos.Clocks;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Chaos.Fleet;

/// <summary>A replica running RoostKeeper.Ha's <see cref="HaManager"/>, on its own drifting clock or (null) the system's.</summary>
internal sealed class OurReplica(string name, IKubernetes client, string leaseNamespace, string leaseName, ElectionTimings timings, LeadershipRecorder recorder, DriftingTimeProvider? clock = null, ILoggerFactory? loggerFactory = null)
    : ChaosReplica(name, client, leaseNamespace, leaseName, timings, recorder)
{
    private TaskCompletionSource? _poison;

    public override string Elector => "RoostKeeper.Ha";

    /// <summary>The drifting clock, or null on the system clock.</summary>
    public DriftingTimeProvider? Clock { get; } = clock;

    private TimeProvider Time => (TimeProvider?)Clock ?? TimeProvider.System;

    public override TimeSpan SlowStop { get; set; }

    public override bool FailLeaderWork() => Volatile.Read(ref _poison)?.TrySetResult() ?? false;

    protected override async Task RunAsync(string identity, CancellationToken stop)
    {
        using var manager = new HaManager(Client, new LeaderElectionOptions
        {
            LeaseName = LeaseName,
            LeaseNamespace = LeaseNamespace,
            Identity = identity,
            LeaseDuration = Timings.LeaseDuration,
            RenewDeadline = Timings.RenewDeadline,
            RetryPeriod = Timings.RetryPeriod,
            StopLeadingTimeout = Timings.StopLeadingTimeout,
        }, loggerFactory, Time);
        manager.OnStartedLeading(LeadAsync);
        await manager.StartLeaderElectionAsync(stop);
    }

    private async Task LeadAsync(Leadership leadership, CancellationToken term)
    {
        // The interval ends the instant the leader token is cancelled, not when this work returns.
        Recorder.Track(Name, leadership.Term, term);
        var poison = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _poison, poison);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = term.Register(() => cancelled.TrySetResult());
        var ended = await Task.WhenAny(poison.Task, cancelled.Task);
        Interlocked.CompareExchange(ref _poison, null, poison);
        if (ended == poison.Task && !term.IsCancellationRequested)
        {
            throw new InvalidOperationException("Chaos: the leader-only work failed.");
        }

        if (SlowStop > TimeSpan.Zero)
        {
            // Work that notices cancellation late: the elector must not release before it returns.
            await Task.Delay(SlowStop, Time, CancellationToken.None);
        }
    }
}
