using RoostKeeper.Ha.Testing.Store;

namespace RoostKeeper.Ha.Testing.Controllers;

/// <summary>The in-process controllers of a simulated cluster (Deployment, ReplicaSet, kubelet, EndpointSlice, StatefulSet, Job, CronJob).</summary>
internal sealed class SimulatedControllers : IAsyncDisposable
{
    private readonly IAsyncDisposable[] _controllers;

    private SimulatedControllers(IAsyncDisposable[] controllers) => _controllers = controllers;

    public static SimulatedControllers Start(ObjectStore store, ImageHealthRules images, TimeProvider time, TimeSpan podStartupDelay, CancellationToken stopping)
    {
        return new SimulatedControllers(
        [
            new DeploymentController(store, time, stopping),
            new ReplicaSetController(store, time, stopping),
            new SimulatedKubelet(store, images, time, podStartupDelay, stopping),
            new EndpointSliceController(store, time, stopping),
            new StatefulSetController(store, time, stopping),
            new JobController(store, time, stopping),
            new CronJobController(store, time, stopping),
        ]);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var controller in _controllers)
        {
            await controller.DisposeAsync().ConfigureAwait(false);
        }
    }
}
