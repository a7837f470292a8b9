using k8s;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Chaos.Fleet;

/// <summary>
/// One replica (one simulated process) of an elector. Its client name is fixed, so faults can target it;
/// each start is a new process with a new identity (name-generation), as a restarted pod would have.
/// </summary>
internal abstract class ChaosReplica
{
    private CancellationTokenSource? _run;
    private Task? _task;
    private int _generation;
    private int _runFailures;

    protected ChaosReplica(string name, IKubernetes client, string leaseNamespace, string leaseName, ElectionTimings timings, LeadershipRecorder recorder)
    {
        Name = name;
        Client = client;
        LeaseNamespace = leaseNamespace;
        LeaseName = leaseName;
        Timings = timings;
        Recorder = recorder;
    }

    public string Name { get; }

    /// <summary>The elector this replica runs, for reports.</summary>
    public abstract string Elector { get; }

    public bool Running => _task is { IsCompleted: false };

    /// <summary>The identity of the current (or last) run: the name and the run's generation.</summary>
    public string? Identity { get; private set; }

    /// <summary>True while a crash stops the run: it must give nothing up (it is cut off anyway).</summary>
    protected bool Crashing { get; private set; }

    /// <summary>Failures of the replica's run that were not a stop (should stay 0 for ours).</summary>
    public int RunFailures => Volatile.Read(ref _runFailures);

    /// <summary>The exception that ended the last failed run (not on stop), for reports.</summary>
    public Exception? LastFailure { get; private set; }

    protected IKubernetes Client { get; }

    protected string LeaseNamespace { get; }

    protected string LeaseName { get; }

    protected ElectionTimings Timings { get; }

    protected LeadershipRecorder Recorder { get; }

    public void Start()
    {
        if (Running)
        {
            return;
        }

        _run?.Dispose();
        _run = new CancellationTokenSource();
        Crashing = false;
        var identity = $"{Name}-{++_generation}";
        Identity = identity;
        OnStarting(identity);
        var token = _run.Token;
        _task = Task.Run(async () =>
        {
            try
            {
                await RunAsync(identity, token);
            }
            catch (Exception e) when (!token.IsCancellationRequested)
            {
                LastFailure = e;
                Interlocked.Increment(ref _runFailures);
                throw;
            }
        }, CancellationToken.None);
    }

    /// <summary>Graceful stop: cancels the run and waits for it (ours releases the Lease; theirs does not).</summary>
    public async Task StopAsync()
    {
        if (_run is null || _task is null)
        {
            return;
        }

        await _run.CancelAsync();
        try
        {
            await _task;
        }
        catch (Exception)
        {
            // Counted in RunFailures if it was not the stop; a stop ends the run whatever it was doing.
        }

        // The process is gone: whatever it recorded as leading has ended.
        Recorder.Stopped(Name);
        OnStopped();
    }

    /// <summary>A crash: cut off from the API server first, then stopped, so nothing it does afterwards reaches the Lease.</summary>
    public async Task CrashAsync(ClusterFaults faults)
    {
        faults.Partition(FaultName);
        Crashing = true;
        await StopAsync();
    }

    /// <summary>The client name faults target for this replica's current run (its <see cref="Name"/> unless it changes per run).</summary>
    public virtual string FaultName => Name;

    /// <summary>Called when a run with <paramref name="identity"/> is about to start.</summary>
    protected virtual void OnStarting(string identity)
    {
    }

    /// <summary>Called when a stop (graceful or a crash) has ended the run: what else it recorded has ended too.</summary>
    protected virtual void OnStopped()
    {
    }

    /// <summary>Makes the current term's leader work throw (ours only; false when it is not leading).</summary>
    public virtual bool FailLeaderWork() => false;

    /// <summary>How long the leader work keeps running after its token is cancelled (ours only).</summary>
    public virtual TimeSpan SlowStop { get; set; }

    protected abstract Task RunAsync(string identity, CancellationToken stop);
}
