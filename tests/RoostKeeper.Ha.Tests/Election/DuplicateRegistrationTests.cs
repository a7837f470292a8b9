using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Moq;

namespace RoostKeeper.Ha.Tests.Election;

/// <summary>A type registered with both AddHostedService and AddLeaderHostedService would run on every replica: refused, naming the fix.</summary>
public sealed class DuplicateRegistrationTests
{
    [Fact]
    public void AddLeaderHostedService_after_AddHostedService_is_refused_naming_the_fix()
    {
        var services = new ServiceCollection();
        services.AddHostedService<Worker>(); // what the dotnet new worker template already has
        var ha = services.AddRoostHa();

        var e = Assert.Throws<InvalidOperationException>(() => ha.AddLeaderHostedService<Worker>());

        AssertNamesTheFix(e);
    }

    [Fact]
    public async Task AddHostedService_after_AddLeaderHostedService_fails_host_start_up_before_the_worker_runs()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(Mock.Of<IKubernetes>());
        builder.Services.AddSingleton<Started>();
        builder.Services.AddRoostHa(o => (o.LeaseName, o.LeaseNamespace) = ("roost", "roost-system")).AddLeaderHostedService<Worker>();
        builder.Services.AddHostedService<Worker>();
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        AssertNamesTheFix(e);
        Assert.Equal(0, host.Services.GetRequiredService<Started>().Count);
    }

    [Fact]
    public void Different_types_are_fine()
    {
        var services = new ServiceCollection();
        services.AddHostedService<Other>();
        services.AddSingleton(Mock.Of<IKubernetes>());
        services.AddRoostHa(o => (o.LeaseName, o.LeaseNamespace) = ("roost", "roost-system")).AddLeaderHostedService<Worker>();
        services.AddSingleton<Started>();
        using var provider = services.BuildServiceProvider();

        Assert.Equal(2, provider.GetServices<IHostedService>().Count());
    }

    private static void AssertNamesTheFix(InvalidOperationException e)
    {
        Assert.Contains("Worker is registered twice", e.Message, StringComparison.Ordinal);
        Assert.Contains("runs it on every replica", e.Message, StringComparison.Ordinal);
        Assert.Contains("Remove the services.AddHostedService<Worker>() call", e.Message, StringComparison.Ordinal);
    }

    private sealed class Started
    {
        public int Count;
    }

    private sealed class Worker(Started started) : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken)
        {
            Interlocked.Increment(ref started.Count);
            return Task.CompletedTask;
        }
    }

    private sealed class Other : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.CompletedTask;
    }
}
