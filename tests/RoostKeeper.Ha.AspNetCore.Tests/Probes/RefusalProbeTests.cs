using System.Net;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RoostKeeper.Ha.AspNetCore.Probes;
using RoostKeeper.Ha.AspNetCore.Tests.Infrastructure;

namespace RoostKeeper.Ha.AspNetCore.Tests.Probes;

/// <summary>Readiness reflects a Lease the API server keeps refusing, with the reason, not only a failing API check.</summary>
public sealed class RefusalProbeTests
{
    [Fact]
    public async Task A_replica_whose_Lease_calls_are_forbidden_is_not_ready_and_the_elector_entry_says_why()
    {
        await using var cluster = await Cluster.StartAsync();
        await using var replica = await cluster.ReplicaAsync("replica-a");
        await Cluster.Until(() => replica.Manager.IsLeader, "replica-a to lead");

        cluster.Simulation.Faults.FailNext("replica-a", HttpStatusCode.Forbidden, count: 100_000); // RBAC taken away
        HealthReportEntry? elector = null;
        var endpoint = new ProbeEndpoint("ready", readiness: true, (context, report) =>
        {
            elector = report.Entries[ProbeEndpoint.WatchdogEntry];
            return Task.CompletedTask;
        });

        await Cluster.Until(async () =>
        {
            var context = new Microsoft.AspNetCore.Http.DefaultHttpContext { RequestServices = replica.Services };
            await endpoint.HandleAsync(context);
            return context.Response.StatusCode == 503 && elector is { Status: HealthStatus.Unhealthy };
        }, "the elector entry of /readyz to be Unhealthy");

        Assert.Contains("replica-a cannot", elector!.Value.Description, StringComparison.Ordinal);
        Assert.Contains("403", elector.Value.Description, StringComparison.Ordinal);
        Assert.Contains("resources [\"leases\"]", elector.Value.Description, StringComparison.Ordinal);
    }
}
