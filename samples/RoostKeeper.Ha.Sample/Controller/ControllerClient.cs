using k8s;

namespace RoostKeeper.Ha.Sample.Controller;

/// <summary>
/// The client the controller's own work goes through, separate from the elector's (as controller-runtime keeps
/// leader election on a client of its own): a replica whose work cannot reach the API can still renew its
/// Lease, and it is the health check on this client that makes such a leader hand over.
/// </summary>
internal sealed class ControllerClient(IKubernetes kubernetes)
{
    public IKubernetes Kubernetes { get; } = kubernetes;
}
