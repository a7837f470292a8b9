using RoostKeeper.Ha.Testing.Store;

namespace RoostKeeper.Ha.Testing.Controllers;

/// <summary>The in-process controllers of a simulated cluster (Deployment, ReplicaSet, kubelet, EndpointSlice).</summary>
internal sealed class SimulatedControllers : IAsyncDisposable
{
    private SimulatedControllers()
    {
    }

    public static SimulatedControllers Start(ObjectStore store, ImageHealthRules images, SimulatedClusterOptions options, CancellationToken stopping)
    {
        _ = (store, images, options, stopping);
        return new SimulatedControllers();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
