using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RoostKeeper.Ha.AspNetCore.Http;
using RoostKeeper.Ha.AspNetCore.Probes;
using RoostKeeper.Ha.Health;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the Kubernetes probes of a RoostKeeper.Ha replica.</summary>
public static class RoostHaProbesEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>{prefix}/healthz</c> (liveness: the checks tagged <see cref="RoostHealthTags.Live"/>, and this
    /// replica's elector is not stuck as a leader past LeaseDuration + 20 s) and <c>{prefix}/readyz</c>
    /// (readiness: the checks tagged <see cref="RoostHealthTags.Ready"/>, and a leader past its
    /// RenewDeadline is not ready). They answer as <c>MapHealthChecks</c> does: 200 with "Healthy" or
    /// "Degraded", 503 with "Unhealthy", never cached. Both stay open (no authorization): the kubelet calls them.
    /// </summary>
    /// <param name="endpoints">The route builder.</param>
    /// <param name="prefix">The route prefix, e.g. "/ha"; empty by default.</param>
    /// <param name="responseWriter">Writes the report instead of the plain status, e.g. as JSON; the status code is already set.</param>
    /// <returns>A builder for conventions applied to both probes.</returns>
    /// <exception cref="ArgumentException"><paramref name="prefix"/> is not empty and does not start with '/'.</exception>
    public static IEndpointConventionBuilder MapRoostHaProbes(this IEndpointRouteBuilder endpoints, string prefix = "", Func<HttpContext, HealthReport, Task>? responseWriter = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup(RoutePrefix.Validate(prefix, nameof(prefix)));
        var live = new ProbeEndpoint(RoostHealthTags.Live, readiness: false, responseWriter);
        var ready = new ProbeEndpoint(RoostHealthTags.Ready, readiness: true, responseWriter);
        group.MapMethods("/healthz", ["GET", "HEAD"], live.HandleAsync).WithDisplayName("RoostKeeper.Ha liveness");
        group.MapMethods("/readyz", ["GET", "HEAD"], ready.HandleAsync).WithDisplayName("RoostKeeper.Ha readiness");
        return group;
    }
}
