using System.Collections.Concurrent;
using System.Diagnostics;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace RoostKeeper.Ha.Tests.Election;

/// <summary>One controller replica: a host with AddRoostHa, its own named client, and a record of its terms.</summary>
internal sealed class ReplicaHost : IAsyncDisposable
{
    // Shorter than production timings to keep tests quick, with enough headroom that a starved thread
    // pool on a loaded 2-core machine cannot make a healthy leader miss its renew deadline.
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(6);
    public static readonly TimeSpan RenewDeadline = TimeSpan.FromSeconds(4);
    public static readonly TimeSpan RetryPeriod = TimeSpan.FromSeconds(1);

    private readonly IHost _host;
    private bool _stopped;

    public ReplicaHost(string name, IKubernetes client, string leaseNamespace, Stopwatch clock, ConcurrentQueue<Term> terms, Action<IRoostHaBuilder>? configure = null, (TimeSpan Lease, TimeSpan Renew, TimeSpan Retry)? timings = null)
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
        .OnStartedLeading(async (leadership, token) =>
        {
            var term = new Term(name, leadership.Term, clock.Elapsed);
            terms.Enqueue(term);
            try
            {
                await Task.Delay(Timeout.Infinite, token);
            }
            catch (OperationCanceledException)
            {
                term.End = clock.Elapsed;
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

    /// <summary>A term as the replica's leader work saw it: from OnStartedLeading until its token was cancelled.</summary>
    internal sealed class Term(string replica, long number, TimeSpan start)
    {
        public string Replica { get; } = replica;

        public long Number { get; } = number;

        public TimeSpan Start { get; } = start;

        public TimeSpan? End { get; set; }

        public override string ToString() => $"{Replica} term {Number} [{Start.TotalMilliseconds:F0} ms, {End?.TotalMilliseconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture) ?? "…"}]";
    }

    /// <summary>Fails when two replicas' leader work ever ran at the same time.</summary>
    public static void AssertNoOverlap(IEnumerable<Term> terms)
    {
        var all = terms.OrderBy(t => t.Start).ToList();
        for (var i = 1; i < all.Count; i++)
        {
            var previous = all[i - 1];
            Assert.True(previous.End is { } end && end <= all[i].Start, $"overlapping leadership: {previous} and {all[i]}");
        }
    }
}
