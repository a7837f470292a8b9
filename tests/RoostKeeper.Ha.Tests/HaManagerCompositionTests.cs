using System.Reflection;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Moq;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Health;

namespace RoostKeeper.Ha.Tests;

/// <summary>
/// HaManager is the façade that composes election and health; underneath, health reads the election
/// (client-go's direction) and nothing below the façade takes an HaManager.
/// </summary>
public sealed class HaManagerCompositionTests
{
    private static LeaderElectionOptions Options() => new() { LeaseName = "roost", LeaseNamespace = "roost-system", Identity = "replica-a" };

    [Fact]
    public async Task AddHealthChecks_without_DI_makes_the_manager_report_from_those_checks()
    {
        using var ha = new HaManager(Mock.Of<IKubernetes>(), Options());

        var health = ha.AddHealthChecks(Mock.Of<IKubernetes>(), h => h.AddCheck("custom", () => HealthCheckResult.Degraded("one replica short")), new HealthOptions { Namespace = "roost-system" });
        var report = await ha.CheckClusterHealthAsync();

        Assert.Equal(["custom"], health.CheckNames);
        Assert.Equal("custom", Assert.Single(report.Entries).Key);
        Assert.Equal(HealthStatus.Degraded, report.Status);
    }

    [Fact]
    public async Task With_DI_the_manager_reports_from_the_checks_registered_after_AddRoostHa_even_when_resolved_first()
    {
        var services = new ServiceCollection();
        services.AddSingleton(Mock.Of<IKubernetes>());
        services.AddRoostHa(o => (o.LeaseName, o.LeaseNamespace, o.Identity) = ("roost", "roost-system", "replica-a"))
            .AddHealthChecks(h => h.AddCheck("custom", () => HealthCheckResult.Unhealthy("broken")), o => o.Namespace = "roost-system");
        await using var provider = services.BuildServiceProvider();

        var ha = provider.GetRequiredService<HaManager>();
        var report = await ha.CheckClusterHealthAsync();

        Assert.Same(provider.GetRequiredService<HealthManager>().LatestReport, report);
        Assert.Equal("custom", Assert.Single(report.Entries).Key);
        Assert.Equal(HealthStatus.Unhealthy, report.Status);
    }

    [Fact]
    public void The_elector_health_reads_in_DI_is_the_one_the_manager_owns()
    {
        var services = new ServiceCollection();
        services.AddSingleton(Mock.Of<IKubernetes>());
        services.AddRoostHa(o => (o.LeaseName, o.LeaseNamespace, o.Identity) = ("roost", "roost-system", "replica-a"));
        using var provider = services.BuildServiceProvider();

        Assert.Same(provider.GetRequiredService<HaManager>().Elector, provider.GetRequiredService<ILeaderElector>());
    }

    [Fact]
    public void No_type_below_the_facade_takes_or_holds_an_HaManager()
    {
        var below = typeof(HaManager).Assembly.GetTypes()
            .Where(t => t.Namespace is { } ns && ns.StartsWith("RoostKeeper.Ha.", StringComparison.Ordinal))
            .ToList();
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

        var offenders = below
            .SelectMany(t => t.GetConstructors(all).SelectMany(c => c.GetParameters()).Select(p => (t, p.ParameterType, what: "constructor parameter " + p.Name))
                .Concat(t.GetFields(all).Select(f => (t, f.FieldType, what: "field " + f.Name))))
            .Where(x => x.Item2 == typeof(HaManager))
            .Select(x => $"{x.t.FullName}: {x.what}")
            .ToList();

        Assert.Empty(offenders);
    }
}
