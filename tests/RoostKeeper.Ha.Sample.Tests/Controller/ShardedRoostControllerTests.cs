using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RoostKeeper.Ha.Fencing;
using RoostKeeper.Ha.Sample.Controller;
using RoostKeeper.Ha.Sample.Tests.Infrastructure;
using RoostKeeper.Ha.Sharding;

namespace RoostKeeper.Ha.Sample.Tests.Controller;

/// <summary>The sharded controller's resync: only the owned shards' roosts, each under its shard's stamp; a shard given up or fenced stops alone.</summary>
public sealed class ShardedRoostControllerTests : IAsyncLifetime, IDisposable
{
    private const string Table = "roost-keeper-controller-shards";
    private readonly ReconcileMeasurements _measurements = new();
    private readonly Ownership _ownership = new();
    private RoostCluster _cluster = null!;
    private IKubernetes _controllerClient = null!;

    public async Task InitializeAsync()
    {
        _cluster = await RoostCluster.StartAsync();
        _controllerClient = _cluster.Simulation.CreateClient("controller");
    }

    public async Task DisposeAsync()
    {
        _controllerClient.Dispose();
        await _cluster.DisposeAsync();
    }

    public void Dispose() => _measurements.Dispose();

    private Task<IReadOnlyList<ReconcileOutcome>> ResyncAsync()
    {
        var options = Options.Create(new ManagedRoostControllerOptions { Namespace = RoostCluster.Namespace });
        var controller = new ShardedRoostController(_ownership, new ControllerClient(_controllerClient), options, _measurements.Recorder, new ControllerActivity(), TimeProvider.System, NullLogger<ShardedRoostController>.Instance);
        var reconciler = new ManagedRoostReconciler(_controllerClient, RoostCluster.Namespace, _measurements.Recorder, TimeProvider.System, NullLogger.Instance);
        return controller.ResyncOwnedAsync(reconciler, CancellationToken.None);
    }

    private static string Stamp(long term, string holder = "replica-a") => new TermStamp(term, RoostCluster.Namespace, Table, holder).ToString();

    private async Task<string?> StampOfAsync(string roost) =>
        (await _cluster.ConfigMapAsync(roost))?.Metadata.Annotations?[TermFence.DefaultAnnotation];

    [Fact]
    public async Task Only_the_roosts_of_owned_shards_are_reconciled_each_under_its_shards_term()
    {
        _ownership.Shards["wren"] = 0;
        _ownership.Shards["robin"] = 1;
        _ownership.Shards["owl"] = 2;
        foreach (var roost in _ownership.Shards.Keys)
        {
            await _cluster.CreateRoostAsync(roost);
        }

        _ownership.Own(0, term: 7);
        _ownership.Own(2, term: 9);

        var outcomes = await ResyncAsync();

        Assert.Equal(["owl", "wren"], outcomes.Select(o => o.Roost).Order());
        Assert.Equal(Stamp(7), await StampOfAsync("wren"));
        Assert.Equal(Stamp(9), await StampOfAsync("owl"));
        Assert.Null(await _cluster.ConfigMapAsync("robin"));
    }

    [Fact]
    public async Task A_shard_being_given_up_or_fenced_by_a_newer_term_is_skipped_while_the_other_shards_go_on()
    {
        foreach (var (roost, shard) in new[] { ("wren", 0), ("owl", 2), ("raven", 2), ("kite", 3) })
        {
            _ownership.Shards[roost] = shard;
            await _cluster.CreateRoostAsync(roost);
        }

        // Shard 2 moved to replica-b, which wrote owl in a newer term than the one replica-a still believes it holds.
        var newer = new ManagedRoostReconciler(_cluster.Simulation.CreateClient("replica-b"), RoostCluster.Namespace, _measurements.Recorder, TimeProvider.System, NullLogger.Instance);
        await newer.ReconcileAsync(await _cluster.RoostAsync("owl"), null, new TermFence(new TermStamp(20, RoostCluster.Namespace, Table, "replica-b")), CancellationToken.None);
        _ownership.Own(0, term: 7).Cancel(); // being given up
        _ownership.Own(2, term: 9);
        _ownership.Own(3, term: 11);

        var outcomes = await ResyncAsync();

        Assert.Equal(["kite"], outcomes.Select(o => o.Roost));
        Assert.Null(await _cluster.ConfigMapAsync("wren"));
        Assert.Equal(Stamp(20, "replica-b"), await StampOfAsync("owl"));
        Assert.Null(await _cluster.ConfigMapAsync("raven")); // listed after owl: the rest of the fenced shard waits for its new owner
        Assert.Equal(Stamp(11), await StampOfAsync("kite"));
    }

    [Fact]
    public async Task An_orphaned_ConfigMap_is_deleted_only_by_the_owner_of_its_roosts_shard()
    {
        _ownership.Shards["gone-a"] = 0;
        _ownership.Shards["gone-b"] = 1;
        foreach (var roost in _ownership.Shards.Keys)
        {
            await _cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(
                new V1ConfigMap
                {
                    Metadata = new V1ObjectMeta
                    {
                        Name = ManagedRoostReconciler.ConfigMapName(roost),
                        Labels = new Dictionary<string, string> { [ManagedRoostReconciler.ManagedByLabel] = ManagedRoostReconciler.ManagedByValue, [ManagedRoostReconciler.RoostLabel] = roost },
                    },
                },
                RoostCluster.Namespace);
        }

        _ownership.Own(0, term: 3);

        Assert.Empty(await ResyncAsync());

        Assert.Null(await _cluster.ConfigMapAsync("gone-a"));
        Assert.NotNull(await _cluster.ConfigMapAsync("gone-b"));
    }

    /// <summary>Shard ownership as the test sets it: which shard each roost's key is in, and which shards are held.</summary>
    private sealed class Ownership : IShardOwnership
    {
        private readonly Dictionary<int, (OwnedShard Shard, CancellationTokenSource Token)> _owned = [];

        public Dictionary<string, int> Shards { get; } = new(StringComparer.Ordinal);

        public string Identity => "replica-a";

        public int ShardCount => 4;

        public IReadOnlyList<OwnedShard> OwnedShards => [.. _owned.OrderBy(o => o.Key).Select(o => o.Value.Shard)];

        public string? Problem => null;

        public CancellationTokenSource Own(int shard, long term)
        {
            var token = new CancellationTokenSource();
            _owned[shard] = (new OwnedShard(shard, term, Identity, DateTimeOffset.UtcNow, RoostCluster.Namespace, Table, token.Token), token);
            return token;
        }

        public int ShardOf(string key) => Shards[key[(key.IndexOf('/', StringComparison.Ordinal) + 1)..]];

        public bool Owns(string key) => Find(ShardOf(key)) is not null;

        public bool Owns(IKubernetesObject<V1ObjectMeta> obj) => Owns($"{obj.Metadata.NamespaceProperty}/{obj.Metadata.Name}");

        public OwnedShard? Find(int shard) => _owned.TryGetValue(shard, out var owned) ? owned.Shard : null;

        public ShardMap GetMap() => throw new NotSupportedException("not read by the controller");
    }
}
