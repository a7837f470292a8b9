using k8s.Models;

namespace RoostKeeper.Ha.Health.Checks;

/// <summary>The endpoints of one Service, counted over its EndpointSlices (shared by the network and webhook checks).</summary>
internal sealed record ServiceEndpoints(int Ready, int NotReady, int Slices)
{
    /// <summary>Null when the Service does not exist. The Service and its slices are read concurrently.</summary>
    public static async Task<ServiceEndpoints?> ReadAsync(KubernetesReads reads, string ns, string service, CancellationToken cancellationToken)
    {
        var serviceRead = reads.ReadServiceAsync(ns, service, cancellationToken);
        var slicesRead = reads.ListEndpointSlicesAsync(ns, service, cancellationToken);
        await Task.WhenAll(serviceRead, slicesRead).ConfigureAwait(false);
        if (await serviceRead.ConfigureAwait(false) is null)
        {
            return null;
        }

        var slices = (await slicesRead.ConfigureAwait(false)).Items;
        var ready = new HashSet<string>(StringComparer.Ordinal);
        var notReady = new HashSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in slices.SelectMany(s => s.Endpoints ?? []))
        {
            // The API defines an absent "ready" as ready (unknown state is treated as ready).
            var target = IsReady(endpoint) ? ready : notReady;
            foreach (var address in endpoint.Addresses ?? [])
            {
                target.Add(address);
            }
        }

        notReady.ExceptWith(ready);
        return new ServiceEndpoints(ready.Count, notReady.Count, slices.Count);
    }

    private static bool IsReady(V1Endpoint endpoint) => endpoint.Conditions?.Ready != false && endpoint.Conditions?.Terminating != true;
}
