using k8s;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Benchmarks.Failover;

/// <summary>
/// One replica (one simulated process) of an elector. Its client name is fixed, so faults can target it;
/// each start is a new process with a new identity (name-generation), as a restarted pod would have.
/// </summary>
internal abstract class Replica
{
    private CancellationTokenSource? _run;
    private Task? _task;
    private int _generation;

    protected Replica(string name, IKubernetes client, string leaseNamespace, string leaseName, ElectionTimings timings, LeadershipLog log)
    {
        Name = name;
        Client = client;
        LeaseNamespace = leaseNamespace;
        LeaseName = leaseName;
        Timings = timings;
        Log = log;
    }

    public string Name { get; }

    public bool Running => _task is { IsCompleted: false };

    protected IKubernetes Client { get; }

    protected string LeaseNamespace { get; }

    protected string LeaseName { get; }

    protected ElectionTimings Timings { get; }

    protected LeadershipLog Log { get; }

    public void Start()
    {
        if (Running)
        {
            throw new InvalidOperationException($"{Name} is already running.");
        }

        _run?.Dispose();
        _run = new CancellationTokenSource();
        var identity = $"{Name}-{++_generation}";
        var token = _run.Token;
        _task = Task.Run(() => RunAsync(identity, token), CancellationToken.None);
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
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>A crash: cut off from the API server first, then stopped, so nothing it does afterwards reaches the Lease.</summary>
    public async Task CrashAsync(ClusterFaults faults)
    {
        faults.Partition(Name);
        await StopAsync();
    }

    protected abstract Task RunAsync(string identity, CancellationToken stop);
}
