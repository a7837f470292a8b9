using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RoostKeeper.Ha.Sharding;
using RoostKeeper.Ha.Testing;
using RoostKeeper.Ha.Tests.Election;
using Xunit.Abstractions;

namespace RoostKeeper.Ha.Tests.Sharding;

/// <summary>
/// The shard table and membership Leases seen and changed by the real kubectl, as an operator (or someone with the
/// controller's Lease grant) would: listed by label, garbled, put back, deleted, and replaced from a stale copy.
/// </summary>
public sealed class KubectlShardTableTests : IClassFixture<KubectlCluster>
{
    private const string Table = "roost-keeper-controller-shards";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly KubectlCluster _fixture;
    private readonly Kubectl _kubectl;

    public KubectlShardTableTests(KubectlCluster fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _kubectl = new Kubectl(fixture, output);
    }

    [Fact]
    public async Task Kubectl_lists_the_leases_a_garbled_or_deleted_table_stops_the_work_until_it_is_back_and_a_stale_replace_is_refused()
    {
        var ns = await _fixture.NewNamespaceAsync("shards");
        var probes = new ShardingHostingTests.ProbeLog();
        var hosts = new List<ReplicaHost>();
        foreach (var name in new[] { "one", "two" })
        {
            hosts.Add(new ReplicaHost(name, _fixture.Cluster.CreateClient(name), ns, new LeadershipRecorder(), ha =>
            {
                ha.Services.AddSingleton(probes);
                ha.AddShardedLeadership(o => o.Shards = 4).AddShardedHostedService<ShardingHostingTests.ShardProbe>();
            }));
        }

        try
        {
            foreach (var host in hosts)
            {
                await host.StartAsync();
            }

            var ownership = hosts.Select(h => h.Services.GetRequiredService<IShardOwnership>()).ToList();
            bool Balanced() => ownership.All(o => o.OwnedShards.Count == 2 && o.Problem is null) && probes.Running.Count == 4;
            await Eventually.UntilAsync(Balanced, "two replicas holding two shards each", Patience);

            // What an operator sees: the table and the membership Leases, one label.
            var listed = await _kubectl.RunAsync("get", "leases", "-n", ns, "-l", $"{ShardTable.Label}={Table}", "-o", "custom-columns=NAME:.metadata.name,HOLDER:.spec.holderIdentity", "--no-headers");
            Assert.Contains(Table + " ", listed, StringComparison.Ordinal);
            Assert.Contains(listed.Split('\n'), l => l.StartsWith(ShardKeys.MemberLeaseName(Table, hosts.Single(h => !h.Manager.IsLeader).Name), StringComparison.Ordinal));
            long originalTerm;
            var original = await _kubectl.RunAsync("get", "lease", Table, "-n", ns, "-o", "jsonpath={.metadata.annotations.roostkeeper\\.io/shard-table}");
            using (var document = JsonDocument.Parse(original))
            {
                Assert.Equal(4, document.RootElement.GetProperty("shards").GetInt32());
                originalTerm = document.RootElement.GetProperty("term").GetInt64();
                Assert.Equal(["one", "one", "two", "two"], document.RootElement.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("holder").GetString()).Order());
            }

            // Garbled by hand: every replica stops the work and says why; nobody overwrites what it cannot read.
            await _kubectl.RunAsync("annotate", "lease", Table, "-n", ns, $"{ShardTable.Annotation}=not a table", "--overwrite");
            await Eventually.UntilAsync(() => ownership.All(o => o.Problem is not null && o.OwnedShards.Count == 0) && probes.Running.IsEmpty, "both replicas to stop the work on a garbled table", Patience);
            Assert.All(ownership, o => Assert.Contains(Table, o.Problem!, StringComparison.Ordinal));
            await Task.Delay(ReplicaHost.LeaseDuration);
            Assert.Equal("not a table", await _kubectl.RunAsync("get", "lease", Table, "-n", ns, "-o", "jsonpath={.metadata.annotations.roostkeeper\\.io/shard-table}"));

            // Put back as it was: the work resumes, each shard under a new term (taken again by a write, never resumed
            // on the entry the old table still names).
            await _kubectl.RunAsync("annotate", "lease", Table, "-n", ns, $"{ShardTable.Annotation}={original}", "--overwrite");
            await Eventually.UntilAsync(Balanced, "the work to resume on the restored table", Patience);
            Assert.All(ownership.SelectMany(o => o.OwnedShards), shard => Assert.True(shard.Term > originalTerm, $"shard {shard.Shard} resumed in term {shard.Term} of the old table (top term {originalTerm})"));

            // Deleted by hand: the work stops, and the leader writes a new table once no holder can still be working.
            await _kubectl.RunAsync("delete", "lease", Table, "-n", ns);
            await Eventually.UntilAsync(() => ownership.All(o => o.OwnedShards.Count == 0) && probes.Running.IsEmpty, "both replicas to stop the work without a table", Patience);
            await Eventually.UntilAsync(Balanced, "a new table and the work back on it", Patience);
            var renewed = await _kubectl.RunAsync("get", "lease", Table, "-n", ns, "-o", "jsonpath={.metadata.uid}");
            Assert.False(string.IsNullOrEmpty(renewed));

            // An edit from a stale copy (kubectl replace, as `kubectl edit` writes) is refused once the table moved on.
            var stale = _fixture.WriteFile("table.yaml", await _kubectl.RunAsync("get", "lease", Table, "-n", ns, "-o", "yaml"));
            await hosts[0].StopAsync();
            await Eventually.UntilAsync(() => ownership[1].OwnedShards.Count == 4, "the remaining replica to take every shard", Patience);
            var refused = await _kubectl.TryRunAsync("replace", "-f", stale);
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("the object has been modified; please apply your changes to the latest version and try again", refused.Stderr, StringComparison.Ordinal);
            Assert.Equal(4, ownership[1].OwnedShards.Count);

            Assert.Empty(probes.Recorder.Overlaps());
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }
}
