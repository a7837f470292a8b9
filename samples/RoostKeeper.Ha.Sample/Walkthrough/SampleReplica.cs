using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using RoostKeeper.Ha.Recovery;
using RoostKeeper.Ha.RollingUpdates;
using RoostKeeper.Ha.Sample.Hosting;

namespace RoostKeeper.Ha.Sample.Walkthrough;

/// <summary>One of the walk-through's replicas: a <see cref="ReplicaApplication"/> with its own Kestrel on a loopback port.</summary>
internal sealed class SampleReplica(string name, Func<ReplicaSettings> settings) : IAsyncDisposable
{
    private WebApplication? _app;

    public string Name { get; } = name;

    /// <summary>The name of the client the controller's work uses (faults can target it alone).</summary>
    public string ControllerClientName => ControllerClient(Name);

    public bool IsRunning => _app is not null;

    public Uri Url { get; private set; } = new("http://127.0.0.1/");

    public HaManager Manager => Services.GetRequiredService<HaManager>();

    public RecoveryManager Recovery => Services.GetRequiredService<RecoveryManager>();

    public RollingUpdateManager Rollouts => Services.GetRequiredService<RollingUpdateManager>();

    public IServiceProvider Services => (_app ?? throw new InvalidOperationException($"{Name} is not running.")).Services;

    public bool IsLeader => _app is not null && Manager.IsLeader;

    public static string ControllerClient(string replica) => replica + "-controller";

    /// <summary>Builds a new host (a stopped host is not restarted: a restart is a new process) and starts it.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            return;
        }

        var app = ReplicaApplication.Build(settings());
        await app.StartAsync(cancellationToken);
        _app = app;
        Url = ReplicaApplication.Address(app);
    }

    /// <summary>A graceful stop, as on SIGTERM: the leader cancels its work and releases the Lease.</summary>
    public async Task StopAsync()
    {
        if (_app is not { } app)
        {
            return;
        }

        _app = null;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await app.StopAsync(timeout.Token);
        await app.DisposeAsync();
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
