using RoostKeeper.Ha.AspNetCore.Tests.Infrastructure;

namespace RoostKeeper.Ha.AspNetCore.Tests.Backups;

/// <summary>One cluster, one leading replica with backups of three ConfigMaps and the operator policy, shared by a test class.</summary>
public sealed class BackupApiFixture : IAsyncLifetime
{
    private Cluster? _cluster;
    private BackupBed? _bed;
    private ReplicaServer? _leader;

    internal Cluster Cluster => _cluster!;

    internal BackupBed Bed => _bed!;

    internal ReplicaServer Leader => _leader!;

    public async Task InitializeAsync()
    {
        _cluster = await Cluster.StartAsync();
        _bed = await BackupBed.CreateAsync(_cluster);
        _leader = await _cluster.ReplicaAsync("replica-a", o => { o.MutationPolicy = ReplicaServer.OperatorPolicy; o.MaxRequestBodySize = 512; }, healthChecks: false, ha: _bed.AddBackups);
        await Cluster.Until(() => Leader.Manager.IsLeader, "replica-a to lead");
    }

    public async Task DisposeAsync()
    {
        await _leader!.DisposeAsync();
        await _cluster!.DisposeAsync();
        _bed!.Dispose();
    }
}
