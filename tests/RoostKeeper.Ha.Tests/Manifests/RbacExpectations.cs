namespace RoostKeeper.Ha.Tests.Manifests;

/// <summary>
/// The namespaced verbs the library's API calls need, read from the code (not yet recorded from a run):
/// Election/KubernetesLeaseClient.cs reads, creates, replaces and watches its Lease; Health/ReplicaHealthLeases.cs
/// reads, creates, replaces and lists the per-replica health Leases; Health/KubernetesReads.cs lists pods and
/// EndpointSlices and reads Deployments and Services.
/// </summary>
internal static class RbacExpectations
{
    public static readonly IReadOnlyDictionary<string, string[]> NamespacedVerbs = new Dictionary<string, string[]>
    {
        ["coordination.k8s.io/leases"] = ["create", "get", "list", "update", "watch"],
        ["/pods"] = ["list"],
        ["/services"] = ["get"],
        ["discovery.k8s.io/endpointslices"] = ["list"],
        ["apps/deployments"] = ["get"],
    };
}
