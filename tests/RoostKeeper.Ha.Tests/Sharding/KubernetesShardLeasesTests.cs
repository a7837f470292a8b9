using k8s;
using k8s.Models;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Sharding;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Tests.Sharding;

/// <summary>Sharding's Lease operations through KubernetesClient against the SimulatedCluster: what 404 and 409 become.</summary>
public sealed class KubernetesShardLeasesTests
{
    private static V1Lease Lease(string name, string holder) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { [ShardTable.Label] = "t" } },
        Spec = new V1LeaseSpec { HolderIdentity = holder },
    };

    [Fact]
    public async Task Reads_writes_and_conditional_deletes_translate_the_api_answers()
    {
        await using var cluster = await SimulatedCluster.StartAsync();
        var client = cluster.CreateClient("sharding");
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "roost" } });
        var leases = new KubernetesShardLeases(client, "roost");

        Assert.Null(await leases.GetAsync("t-member-a", CancellationToken.None));
        var created = await leases.CreateAsync(Lease("t-member-a", "a"), CancellationToken.None);
        await Assert.ThrowsAsync<LeaseConflictException>(() => leases.CreateAsync(Lease("t-member-a", "a"), CancellationToken.None));

        // A replace that changes nothing is no write on an API server (same resourceVersion): renew as a replica does.
        var renewal = KubernetesJson.Deserialize<V1Lease>(KubernetesJson.Serialize(created));
        renewal.Spec.RenewTime = DateTime.UtcNow;
        var renewed = await leases.ReplaceAsync(renewal, CancellationToken.None);
        Assert.NotEqual(created.Metadata.ResourceVersion, renewed.Metadata.ResourceVersion);
        var stale = await Assert.ThrowsAsync<LeaseConflictException>(() => leases.ReplaceAsync(created, CancellationToken.None));
        Assert.Contains(created.Metadata.ResourceVersion, stale.Message, StringComparison.Ordinal);

        // A delete conditional on a version that is no longer current is refused, and nothing is deleted.
        var refused = await Assert.ThrowsAsync<LeaseConflictException>(() => leases.DeleteAsync("t-member-a", created.Metadata.ResourceVersion, CancellationToken.None));
        Assert.Contains("roost/t-member-a", refused.Message, StringComparison.Ordinal);
        Assert.NotNull(await leases.GetAsync("t-member-a", CancellationToken.None));

        await leases.DeleteAsync("t-member-a", renewed.Metadata.ResourceVersion, CancellationToken.None);
        Assert.Null(await leases.GetAsync("t-member-a", CancellationToken.None));

        // Already gone is not an error, with or without a version.
        await leases.DeleteAsync("t-member-a", renewed.Metadata.ResourceVersion, CancellationToken.None);
        await leases.DeleteAsync("t-member-a", resourceVersion: null, CancellationToken.None);

        var (items, version) = await leases.ListAsync($"{ShardTable.Label}=t", CancellationToken.None);
        Assert.Empty(items);
        Assert.False(string.IsNullOrEmpty(version));
    }

    [Fact]
    public async Task Other_api_errors_are_thrown_as_they_are()
    {
        await using var cluster = await SimulatedCluster.StartAsync();
        var client = cluster.CreateClient("sharding");
        var leases = new KubernetesShardLeases(client, "missing-namespace");

        var e = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => leases.CreateAsync(Lease("t-member-a", "a"), CancellationToken.None));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, e.Response.StatusCode);
    }
}
