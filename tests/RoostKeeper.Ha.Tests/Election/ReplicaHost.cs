using System.Collections.Concurrent;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Tests.Election;

/// <summary>One controller replica: a host with AddRoostHa and its own named client; its terms go to a shared <see cref="LeadershipRecorder"/>.</summary>
internal sealed class ReplicaHost : IAsyncDisposable
{
    // Shorter than production timings to keep tests quick, with enough headroom that a starved thread
    // pool on a loaded 2-core machine cannot make a healthy leader miss its renew deadline.
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(6);
    public static readonly TimeSpan RenewDeadline = TimeSpan.FromSeconds(4);
    public static readonly TimeSpan RetryPeriod = TimeSpan.FromSeconds(1);

    private readonly IHost _host;
    private bool _stopped;

    public ReplicaHost(string name, IKubernetes client, string leaseNamespace, LeadershipRecorder leadership, Action<IRoostHaBuilder>? configure = null, (TimeSpan Lease, TimeSpan Renew, TimeSpan Retry)? timings = null)
    {
        var (leaseDuration, renewDeadline, retryPeriod) = timings ?? (LeaseDuration, RenewDeadline, RetryPeriod);
        Name = name;
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton(client);
        var ha = builder.Services.AddRoostHa(o =>
        {
            o.LeaseName = "roost-keeper-controller";
            o.LeaseNamespace = leaseNamespace;
            o.Identity = name;
            o.LeaseDuration = leaseDuration;
            o.RenewDeadline = renewDeadline;
            o.RetryPeriod = retryPeriod;
        })
        .OnStartedLeading(async (term, token) =>
        {
            // The term ends for the recorder the instant its token is cancelled.
            leadership.Track(name, term.Term, token);
            try
            {
                await Task.Delay(Timeout.Infinite, token);
            }
            catch (OperationCanceledException)
            {
            }
        })
        .OnStoppedLeading(() => Interlocked.Increment(ref StoppedCount))
        .OnNewLeader(leader => NewLeaders.Enqueue(leader));
        configure?.Invoke(ha);
        _host = builder.Build();
        Manager = _host.Services.GetRequiredService<HaManager>();
    }

    public int StoppedCount;

    public string Name { get; }

    public HaManager Manager { get; }

    public ConcurrentQueue<string> NewLeaders { get; } = new();

    public IServiceProvider Services => _host.Services;

    public Task StartAsync() => _host.StartAsync();

    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _host.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        if (!_stopped)
        {
            _stopped = true;
            await _host.StopAsync(timeout.Token);
        }

        _host.Dispose();
    }
}
