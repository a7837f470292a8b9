using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Diagnostics;
using RoostKeeper.Ha.Sample.Controller;
using RoostKeeper.Ha.Sample.Tests.Infrastructure;

namespace RoostKeeper.Ha.Sample.Tests.Controller;

public sealed class ControllerHealthCheckTests
{
    private static readonly IOptions<ManagedRoostControllerOptions> Options =
        Microsoft.Extensions.Options.Options.Create(new ManagedRoostControllerOptions { Namespace = RoostCluster.Namespace, HealthCheckTimeout = TimeSpan.FromSeconds(10) });

    [Fact]
    public async Task Healthy_when_the_controller_client_can_list_roosts_Degraded_after_an_error_Unhealthy_when_cut_off()
    {
        await using var cluster = await RoostCluster.StartAsync();
        using var client = cluster.Simulation.CreateClient("controller");
        var activity = new ControllerActivity();
        var check = new ControllerHealthCheck(new ControllerClient(client), activity, Options);

        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);

        activity.Resynced([new ReconcileOutcome("wren", ReconcileResult.Error, "500 InternalServerError")]);
        var degraded = await check.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Contains("500 InternalServerError", degraded.Description, StringComparison.Ordinal);

        cluster.Simulation.Faults.Partition("controller");
        var unhealthy = await check.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
        Assert.Contains("cannot list ManagedRoosts in roosts", unhealthy.Description, StringComparison.Ordinal);

        cluster.Simulation.Faults.Heal("controller");
        activity.Resynced([new ReconcileOutcome("wren", ReconcileResult.Success, "ConfigMap up to date")]);
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);
    }
}
