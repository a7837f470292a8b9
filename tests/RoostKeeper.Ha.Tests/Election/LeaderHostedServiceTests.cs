using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Tests.Election;

namespace RoostKeeper.Ha.Tests.Election;

/// <summary>A leader-only hosted service is drained only when its ExecuteAsync returned, and a crash ends the term.</summary>
public sealed class LeaderHostedServiceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Term_work_is_not_drained_until_ExecuteAsync_returns_even_after_the_stop_timeout()
    {
        await using var services = Services();
        var probe = services.GetRequiredService<WorkerProbe>();
        var time = new FakeTimeProvider();
        using var leader = new CancellationTokenSource();
        var run = LeaderHostedService.RunAsync<StubbornWorker>(services, time, TimeSpan.FromSeconds(5), leader.Token);
        await probe.Started.Task.WaitAsync(Patience);

        await leader.CancelAsync();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!probe.StopReturned.Task.IsCompleted && waited.Elapsed < Patience)
        {
            time.Advance(TimeSpan.FromSeconds(1)); // on past the stop timeout: BackgroundService.StopAsync gives up
            await Task.Delay(10);
        }

        Assert.True(probe.StopReturned.Task.IsCompleted, "StopAsync did not return at its timeout");
        await Task.WhenAny(run, Task.Delay(200));

        Assert.False(run.IsCompleted, "the work was reported drained while ExecuteAsync still ran");
        Assert.False(probe.Disposed, "the service was disposed while ExecuteAsync still ran");
        probe.Finish.SetResult();
        await run.WaitAsync(Patience);
        Assert.True(probe.Disposed);
    }

    [Fact]
    public async Task Crashing_ExecuteAsync_ends_the_term_with_its_exception()
    {
        await using var services = Services();
        var probe = services.GetRequiredService<WorkerProbe>();
        using var leader = new CancellationTokenSource();
        var run = LeaderHostedService.RunAsync<CrashingWorker>(services, TimeProvider.System, TimeSpan.FromSeconds(5), leader.Token);
        await probe.Started.Task.WaitAsync(Patience);

        probe.Finish.SetResult();

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => run.WaitAsync(Patience));
        Assert.Equal("controller crashed", e.Message);
        Assert.False(leader.IsCancellationRequested);
        Assert.True(probe.Disposed);
    }

    [Fact]
    public async Task ExecuteAsync_that_returns_normally_does_not_end_the_term()
    {
        await using var services = Services();
        var probe = services.GetRequiredService<WorkerProbe>();
        using var leader = new CancellationTokenSource();
        var run = LeaderHostedService.RunAsync<CrashingWorker>(services, TimeProvider.System, TimeSpan.FromSeconds(5), leader.Token);
        await probe.Started.Task.WaitAsync(Patience);
        probe.Crash = false;
        probe.Finish.SetResult();
        await probe.Returned.Task.WaitAsync(Patience);
        await Task.WhenAny(run, Task.Delay(200));

        Assert.False(run.IsCompleted);
        await leader.CancelAsync();
        await run.WaitAsync(Patience);
    }

    [Fact]
    public async Task Each_term_resolves_the_service_in_its_own_scope_and_disposes_it()
    {
        await using var services = Services();
        var probe = services.GetRequiredService<WorkerProbe>();
        using var leader = new CancellationTokenSource();
        var run = LeaderHostedService.RunAsync<ScopedWorker>(services, TimeProvider.System, TimeSpan.FromSeconds(5), leader.Token);
        await probe.Started.Task.WaitAsync(Patience);

        await leader.CancelAsync();
        await run.WaitAsync(Patience);

        var scoped = Assert.Single(probe.Scoped);
        Assert.True(scoped.Disposed, "the term's scope was not disposed");
    }

    [Fact]
    public async Task Crashing_leader_hosted_service_hands_leadership_to_another_replica()
    {
        await using var services = Services();
        var probe = services.GetRequiredService<WorkerProbe>();
        await using var h = new ElectionHarness();
        var a = h.Add("a", (_, token) => LeaderHostedService.RunAsync<CrashingWorker>(services, h.Time, TimeSpan.FromSeconds(5), token));
        a.Start();
        Assert.True(await h.RunUntilAsync(() => a.IsLeader, TimeSpan.FromMinutes(1)));
        var b = h.StartReplica("b");
        await h.RunForAsync(TimeSpan.FromSeconds(3));

        probe.Finish.SetResult(); // ExecuteAsync throws well after it started
        Assert.True(await h.RunUntilAsync(() => b.IsLeader, h.LeaseDuration), "a kept leading with its service crashed");
        Assert.False(a.IsLeader);
    }

    private static ServiceProvider Services() =>
        new ServiceCollection()
            .AddSingleton<WorkerProbe>()
            .AddScoped<ScopedDependency>()
            .BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });

    internal sealed class WorkerProbe
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Finish { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource StopReturned { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Returned { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public System.Collections.Concurrent.ConcurrentQueue<ScopedDependency> Scoped { get; } = new();

        public volatile bool Crash = true;

        public volatile bool Disposed;
    }

    internal sealed class ScopedDependency : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }

    /// <summary>Ignores its stopping token until the test lets it finish.</summary>
    internal sealed class StubbornWorker(WorkerProbe probe) : BackgroundService
    {
        public override async Task StopAsync(CancellationToken cancellationToken)
        {
            await base.StopAsync(cancellationToken);
            probe.StopReturned.TrySetResult();
        }

        public override void Dispose()
        {
            probe.Disposed = true;
            base.Dispose();
        }

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            probe.Started.TrySetResult();
            await probe.Finish.Task;
        }
    }

    internal sealed class CrashingWorker(WorkerProbe probe) : BackgroundService
    {
        public override void Dispose()
        {
            probe.Disposed = true;
            base.Dispose();
        }

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            probe.Started.TrySetResult();
            await probe.Finish.Task;
            if (probe.Crash)
            {
                throw new InvalidOperationException("controller crashed");
            }

            probe.Returned.TrySetResult();
        }
    }

    internal sealed class ScopedWorker(WorkerProbe probe, ScopedDependency dependency) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            probe.Scoped.Enqueue(dependency);
            probe.Started.TrySetResult();
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
    }
}
