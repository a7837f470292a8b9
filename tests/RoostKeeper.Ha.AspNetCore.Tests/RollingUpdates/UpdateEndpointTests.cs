using System.Net;
using System.Text.Json;
using RoostKeeper.Ha.AspNetCore.Tests.Infrastructure;

namespace RoostKeeper.Ha.AspNetCore.Tests.RollingUpdates;

/// <summary>GET /updates and GET /updates/{id}: the rolling updates this replica's RollingUpdateManager ran.</summary>
public sealed class UpdateEndpointTests
{
    [Fact]
    public async Task An_update_run_by_the_leader_is_listed_and_readable_by_id()
    {
        await using var cluster = await Cluster.StartAsync();
        using var bed = await BackupBed.CreateAsync(cluster, configMaps: 0);
        await using var a = await cluster.ReplicaAsync("replica-a", o => o.MutationPolicy = ReplicaServer.OperatorPolicy, healthChecks: false, ha: bed.AddBackups);
        await Cluster.Until(() => a.Manager.IsLeader, "replica-a to lead");
        await Deployments.CreateAsync(bed.Admin);

        var update = await Deployments.UpdateAsync(a, "roost-keeper:v2");

        using var list = JsonDocument.Parse(await a.Http.GetStringAsync("/updates"));
        var listed = Assert.Single(list.RootElement.EnumerateArray());
        Assert.Equal(update.Id, listed.GetProperty("id").GetString());
        Assert.Equal("Succeeded", listed.GetProperty("phase").GetString());
        Assert.Equal(Deployments.Name, listed.GetProperty("deployment").GetString());
        Assert.Equal("roost-keeper:v2", listed.GetProperty("images").GetProperty("manager").GetString());
        using var one = await a.Http.GetAsync($"/updates/{update.Id}");
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        using var body = JsonDocument.Parse(await one.Content.ReadAsStringAsync());
        Assert.NotEmpty(body.RootElement.GetProperty("timeline").EnumerateArray());
    }
}
