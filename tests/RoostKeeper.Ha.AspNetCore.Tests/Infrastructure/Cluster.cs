using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using RoostKeeper.Ha.Testing;

namespace RoostKeeper.Ha.AspNetCore.Tests.Infrastructure;

/// <summary>A simulated cluster with the namespace the replicas elect in, and a patient wait.</summary>
internal sealed class Cluster : IAsyncDisposable
{
    public const string Namespace = "roost-system";

    /// <summary>Generous: the machine is shared and noisy; tests wait for outcomes, never for durations.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private Cluster(SimulatedCluster simulation) => Simulation = simulation;

    public SimulatedCluster Simulation { get; }

    public static async Task<Cluster> StartAsync()
    {
        var simulation = await SimulatedCluster.StartAsync();
        await simulation.CreateClient("admin").CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Namespace } });
        return new Cluster(simulation);
    }

    public Task<ReplicaServer> ReplicaAsync(string name, Action<HaApiOptions>? api = null, string probePrefix = "", bool healthChecks = true,
        Action<IRoostHaBuilder>? ha = null, Action<IServiceCollection>? services = null, Action<IEndpointConventionBuilder>? conventions = null) =>
        ReplicaServer.StartAsync(name, Simulation.CreateClient(name), Namespace, api, probePrefix, healthChecks, ha, services, conventions);

    public static Task Until(Func<bool> condition, string what) => Eventually.UntilAsync(condition, what, Patience);

    public static Task Until(Func<Task<bool>> condition, string what) => Eventually.UntilAsync(condition, what, Patience, TimeSpan.FromMilliseconds(100));

    public ValueTask DisposeAsync() => Simulation.DisposeAsync();
}
