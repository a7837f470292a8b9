using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace RoostKeeper.Ha.Sample;

/// <summary>One controller replica: its own host with AddRoostHa and the leader-only controller.</summary>
internal sealed class Replica : IAsyncDisposable
{
    private readonly IHost _host;
    private bool _running;

    public Replica(string name, IKubernetes client, string ns, Timeline log)
    {
        Name = name;
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ApplicationName = name });
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(client);
        builder.Services.AddSingleton(log);
        builder.Services.AddRoostHa(o =>
            {
                o.LeaseName = "roost-keeper-controller";
                o.LeaseNamespace = ns;
                o.Identity = name;
            })
            .OnStartedLeading((leadership, token) =>
            {
                log.Started(name, leadership.Term);
                return new HeartbeatController(client, ns, leadership).RunAsync(token);
            })
            .OnStoppedLeading(() => log.Stopped(name))
            .OnNewLeader(leader => log.NewLeader(name, leader));
        _host = builder.Build();
        Manager = _host.Services.GetRequiredService<HaManager>();
    }

    public string Name { get; }

    public HaManager Manager { get; }

    public bool IsRunning => _running;

    /// <summary>Waits for one of <paramref name="replicas"/> to lead and for its OnStartedLeading to have run.</summary>
    public static async Task<Replica> WaitForLeaderAsync(IReadOnlyList<Replica> replicas, Timeline log)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            if (replicas.FirstOrDefault(r => r.Manager.IsLeader && log.HasStarted(r.Name, r.Manager.Leadership!.Term)) is { } leader)
            {
                return leader;
            }

            await Task.Delay(10, timeout.Token);
        }
    }

    public async Task StartAsync()
    {
        await _host.StartAsync();
        _running = true;
    }

    public async Task StopAsync()
    {
        if (_running)
        {
            _running = false;
            await _host.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _host.Dispose();
    }
}
