using System.Net;
using RoostKeeper.Ha.AspNetCore.Tests.Infrastructure;

namespace RoostKeeper.Ha.AspNetCore.Tests.StatusPage;

/// <summary>
/// What the status page could not read is shown, classified as the library classifies API errors
/// (KubernetesApiErrors): an API answer by its HTTP status, a network failure by its type and a trace id only.
/// </summary>
public sealed class StatusPageFailureTests
{
    [Fact]
    public async Task A_refused_read_is_shown_with_its_HTTP_status_and_the_page_still_renders()
    {
        await using var cluster = await Cluster.StartAsync();
        await using var a = await cluster.ReplicaAsync("replica-a");
        await Cluster.Until(() => a.Manager.IsLeader, "replica-a to lead");

        cluster.Simulation.Faults.FailNext("replica-a", HttpStatusCode.Forbidden, count: 100_000); // RBAC taken away
        using var response = await a.Http.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Could not read Lease", html, StringComparison.Ordinal);
        Assert.Contains("HTTP 403 Forbidden.", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replica_cut_off_from_the_API_server_shows_the_failure_type_and_a_trace_id_not_the_network_message()
    {
        await using var cluster = await Cluster.StartAsync();
        await using var a = await cluster.ReplicaAsync("replica-a");
        await Cluster.Until(() => a.Manager.IsLeader, "replica-a to lead");

        cluster.Simulation.Faults.Partition("replica-a");
        using var response = await a.Http.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Could not read Lease", html, StringComparison.Ordinal);
        Assert.Contains("trace id", html, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", html, StringComparison.Ordinal);
    }
}
