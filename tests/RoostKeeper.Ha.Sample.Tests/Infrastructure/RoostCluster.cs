using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using RoostKeeper.Ha.Sample.Controller;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.Sample.Tests.Infrastructure;

/// <summary>A SimulatedCluster with the ManagedRoost CRD applied and a namespace, and a test client that is never faulted.</summary>
internal sealed class RoostCluster : IAsyncDisposable
{
    public const string Namespace = "roosts";

    private RoostCluster(SimulatedCluster simulation, IKubernetes client)
    {
        Simulation = simulation;
        Client = client;
    }

    public SimulatedCluster Simulation { get; }

    public IKubernetes Client { get; }

    public static async Task<RoostCluster> StartAsync()
    {
        var simulation = await SimulatedCluster.StartAsync();
        var client = simulation.CreateClient("test");
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Namespace } });
        await ManagedRoostDefinition.ApplyAsync(client, NullLogger.Instance, TimeProvider.System, TimeSpan.FromSeconds(60), CancellationToken.None);
        return new RoostCluster(simulation, client);
    }

    public async Task<ManagedRoost> CreateRoostAsync(string name, string species = "wren", int size = 2, string? song = "teakettle") =>
        await Client.CustomObjects.CreateNamespacedCustomObjectAsync<ManagedRoost>(ManagedRoost.Create(name, species, size, song),
            ManagedRoost.Group, ManagedRoost.Version, Namespace, ManagedRoost.Plural);

    public Task<ManagedRoost> RoostAsync(string name) =>
        Client.CustomObjects.GetNamespacedCustomObjectAsync<ManagedRoost>(ManagedRoost.Group, ManagedRoost.Version, Namespace, ManagedRoost.Plural, name);

    public async Task<V1ConfigMap?> ConfigMapAsync(string roost)
    {
        var maps = await Client.CoreV1.ListNamespacedConfigMapAsync(Namespace, fieldSelector: "metadata.name=" + ManagedRoostReconciler.ConfigMapName(roost));
        return maps.Items.SingleOrDefault();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Simulation.DisposeAsync();
    }
}
