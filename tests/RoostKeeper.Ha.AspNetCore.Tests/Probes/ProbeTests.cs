using System.Net;
using Microsoft.AspNetCore.Builder;
using RoostKeeper.Ha.AspNetCore.Tests.Infrastructure;

namespace RoostKeeper.Ha.AspNetCore.Tests.Probes;

/// <summary>/healthz and /readyz on a real Kestrel server, healthy and unhealthy.</summary>
public sealed class ProbeTests
{
    [Fact]
    public async Task A_leader_with_a_reachable_API_is_live_and_ready_under_the_prefix()
    {
        await using var cluster = await Cluster.StartAsync();
        await using var replica = await cluster.ReplicaAsync("replica-a", probePrefix: "/probes");
        await Cluster.Until(() => replica.Manager.IsLeader, "replica-a to lead");

        var live = await replica.Http.GetAsync("/probes/healthz");
        var ready = await replica.Http.GetAsync("/probes/readyz");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("Healthy", await live.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
        Assert.Equal("text/plain", ready.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-store", ready.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await replica.Http.GetAsync("/readyz")).StatusCode);
    }

    [Fact]
    public async Task A_replica_cut_off_from_the_API_is_neither_ready_nor_live()
    {
        await using var cluster = await Cluster.StartAsync();
        await using var replica = await cluster.ReplicaAsync("replica-a");
        await Cluster.Until(() => replica.Manager.IsLeader, "replica-a to lead");

        cluster.Simulation.Faults.Partition("replica-a");

        await Cluster.Until(async () => (await replica.Http.GetAsync("/readyz")).StatusCode == HttpStatusCode.ServiceUnavailable, "/readyz to answer 503");
        var ready = await replica.Http.GetAsync("/readyz");
        Assert.Equal("Unhealthy", await ready.Content.ReadAsStringAsync());

        // The live-tagged leader election check cannot read the Lease either.
        var live = await replica.Http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, live.StatusCode);

        cluster.Simulation.Faults.Heal("replica-a");
        await Cluster.Until(async () => (await replica.Http.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK, "/readyz to recover");
    }

    [Fact]
    public async Task A_custom_writer_receives_the_report_with_the_elector_entry()
    {
        await using var cluster = await Cluster.StartAsync();
        string? written = null;
        await using var replica = await cluster.ReplicaAsync("replica-a");
        await Cluster.Until(() => replica.Manager.IsLeader, "replica-a to lead");

        // The probe handler with a writer (what MapRoostHaProbes(responseWriter: ...) maps), on the replica's services.
        var endpoint = new RoostKeeper.Ha.AspNetCore.Probes.ProbeEndpoint("ready", readiness: true, (context, report) =>
        {
            written = string.Join(",", report.Entries.Keys.Order(StringComparer.Ordinal));
            return Task.CompletedTask;
        });
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext { RequestServices = replica.Services };
        await endpoint.HandleAsync(context);

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal("kubernetes-api,roost-ha-elector", written);
    }

    [Fact]
    public void A_prefix_that_is_not_a_path_is_refused()
    {
        var app = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder().Build();

        var error = Assert.Throws<ArgumentException>(() => app.MapRoostHaProbes("probes"));

        Assert.Contains("must be empty or a literal path that starts with '/'", error.Message, StringComparison.Ordinal);
    }
}
