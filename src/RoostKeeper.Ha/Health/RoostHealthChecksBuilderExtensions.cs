using Microsoft.Extensions.Diagnostics.HealthChecks;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.Health;
using RoostKeeper.Ha.Health.Checks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// The built-in Kubernetes health checks of RoostKeeper.Ha, as ordinary <see cref="IHealthChecksBuilder"/>
/// registrations: ASP.NET Core's health endpoints and the <see cref="HealthManager"/> run the same ones.
/// Each reads the API through the registered <c>IKubernetes</c>; <c>name</c>, <c>failureStatus</c> (default
/// Unhealthy), <c>tags</c> and <c>timeout</c> mean what they mean for any health check.
/// </summary>
public static class RoostHealthChecksBuilderExtensions
{
    /// <summary>The default tolerance of the leader election check: client-go's HealthzAdaptor as kube-controller-manager configures it.</summary>
    private static readonly TimeSpan DefaultLeaderTolerance = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan DefaultMinCertificateValidity = TimeSpan.FromDays(7);

    /// <summary>
    /// Leader election (client-go's HealthzAdaptor rule): on the leader, failing when its Lease names another
    /// holder or was last renewed longer ago than LeaseDuration + <paramref name="tolerance"/>; on any replica,
    /// Degraded when no unexpired holder exists. Reads the Lease of this process's election (<c>AddRoostHa</c>, or <c>HaManager.AddHealthChecks</c>), or,
    /// without one, the Lease <paramref name="leaseName"/> (then holder and expiry only).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="tolerance">How far past LeaseDuration a leader's renewal may lag; default 20 s.</param>
    /// <param name="leaseName">The Lease to judge when this process does not elect (no <c>AddRoostHa</c>).</param>
    /// <param name="namespace">Its namespace; default the health options' or the pod's.</param>
    /// <param name="name">The check's name; default "leader-election".</param>
    /// <param name="failureStatus">The status reported on failure; default Unhealthy.</param>
    /// <param name="tags">Default "live" and "roost-ha".</param>
    /// <param name="timeout">The check's timeout; default the manager's CheckTimeout.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddLeaderElection(this IHealthChecksBuilder builder, TimeSpan? tolerance = null, string? leaseName = null, string? @namespace = null,
        string? name = null, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var allowed = tolerance ?? DefaultLeaderTolerance;
        ArgumentOutOfRangeException.ThrowIfLessThan(allowed, TimeSpan.Zero, nameof(tolerance));
        var checkName = name ?? "leader-election";
        return builder.Add(Registration(checkName, sp =>
        {
            var time = HealthDefaults.Time(sp);
            if (leaseName is null && sp.GetService<ILeaderElector>() is { } elector)
            {
                return new LeaderElectionHealthCheck(elector, allowed, time);
            }

            return new LeaderElectionHealthCheck(
                HealthDefaults.Client(sp),
                HealthDefaults.Namespace(sp, @namespace, checkName),
                leaseName ?? throw new InvalidOperationException($"Health check {checkName} needs a Lease: register AddRoostHa, or pass leaseName."),
                allowed,
                time);
        }, failureStatus, tags ?? [RoostHealthTags.Live, RoostHealthTags.RoostHa], timeout));
    }

    /// <summary>The API server answers <c>GET /version</c> within <paramref name="timeout"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="timeout">How long the API server may take; default the manager's CheckTimeout.</param>
    /// <param name="name">The check's name; default "kubernetes-api".</param>
    /// <param name="failureStatus">The status reported on failure; default Unhealthy.</param>
    /// <param name="tags">Default "ready" and "roost-ha".</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddKubernetesApi(this IHealthChecksBuilder builder, TimeSpan? timeout = null,
        string? name = null, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(Registration(name ?? "kubernetes-api", sp => new KubernetesApiHealthCheck(HealthDefaults.Client(sp), HealthDefaults.Time(sp)),
            failureStatus, tags ?? [RoostHealthTags.Ready, RoostHealthTags.RoostHa], timeout));
    }

    /// <summary>
    /// The Deployment <paramref name="deployment"/> has at least <paramref name="minAvailable"/> available
    /// replicas and is progressing (Progressing=False fails); available but short of desired is Degraded.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="deployment">The Deployment's name.</param>
    /// <param name="minAvailable">The fewest available replicas that pass; default 1.</param>
    /// <param name="namespace">Its namespace; default the health options' or the pod's.</param>
    /// <param name="name">The check's name; default "deployment/{deployment}".</param>
    /// <param name="failureStatus">The status reported on failure; default Unhealthy.</param>
    /// <param name="tags">Default "cluster" and "roost-ha".</param>
    /// <param name="timeout">The check's timeout; default the manager's CheckTimeout.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddDeploymentReplicas(this IHealthChecksBuilder builder, string deployment, int minAvailable = 1, string? @namespace = null,
        string? name = null, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(deployment);
        ArgumentOutOfRangeException.ThrowIfNegative(minAvailable);
        var checkName = name ?? $"deployment/{deployment}";
        return builder.Add(Registration(checkName, sp => new DeploymentReplicasHealthCheck(HealthDefaults.Client(sp), HealthDefaults.Namespace(sp, @namespace, checkName), deployment, minAvailable),
            failureStatus, tags ?? [RoostHealthTags.Cluster, RoostHealthTags.RoostHa], timeout));
    }

    /// <summary>
    /// At least <paramref name="minReady"/> pods matching <paramref name="selector"/> are Ready; some not ready
    /// is Degraded. With <paramref name="requireThisPod"/>, this replica's own pod (RoostHa:Health:PodName,
    /// default POD_NAME) must be one of the ready ones: what lets a leader whose own pod fails hand over. Do
    /// not serve such a check as the pod's own readiness probe: the pod could then never become ready.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="selector">A label selector, e.g. "app=roost-keeper".</param>
    /// <param name="minReady">The fewest ready pods that pass; default 1.</param>
    /// <param name="requireThisPod">Fail when this replica's pod is not ready; default false.</param>
    /// <param name="namespace">The pods' namespace; default the health options' or the pod's.</param>
    /// <param name="name">The check's name; default "pods/{selector}".</param>
    /// <param name="failureStatus">The status reported on failure; default Unhealthy.</param>
    /// <param name="tags">Default "cluster" and "roost-ha".</param>
    /// <param name="timeout">The check's timeout; default the manager's CheckTimeout.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddReadyPods(this IHealthChecksBuilder builder, string selector, int minReady = 1, bool requireThisPod = false, string? @namespace = null,
        string? name = null, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(selector);
        ArgumentOutOfRangeException.ThrowIfNegative(minReady);
        var checkName = name ?? $"pods/{selector}";
        return builder.Add(Registration(checkName, sp =>
        {
            string? pod = null;
            if (requireThisPod)
            {
                pod = HealthDefaults.Options(sp)?.PodName is { Length: > 0 } configured ? configured
                    : Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 } fromEnv ? fromEnv
                    : throw new InvalidOperationException($"Health check {checkName} requires this replica's pod but does not know it: set RoostHa:Health:PodName or POD_NAME (downward API).");
            }

            return new ReadyPodsHealthCheck(HealthDefaults.Client(sp), HealthDefaults.Namespace(sp, @namespace, checkName), selector, minReady, pod);
        }, failureStatus, tags ?? [RoostHealthTags.Cluster, RoostHealthTags.RoostHa], timeout));
    }

    /// <summary>
    /// The Service <paramref name="service"/> exists and its EndpointSlices hold at least
    /// <paramref name="minReady"/> ready endpoints; some endpoints not ready is Degraded.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="service">The Service's name.</param>
    /// <param name="minReady">The fewest ready endpoints that pass; default 1.</param>
    /// <param name="namespace">Its namespace; default the health options' or the pod's.</param>
    /// <param name="name">The check's name; default "service/{service}".</param>
    /// <param name="failureStatus">The status reported on failure; default Unhealthy.</param>
    /// <param name="tags">Default "cluster" and "roost-ha".</param>
    /// <param name="timeout">The check's timeout; default the manager's CheckTimeout.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddServiceEndpoints(this IHealthChecksBuilder builder, string service, int minReady = 1, string? @namespace = null,
        string? name = null, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(service);
        ArgumentOutOfRangeException.ThrowIfNegative(minReady);
        var checkName = name ?? $"service/{service}";
        return builder.Add(Registration(checkName, sp => new ServiceEndpointsHealthCheck(HealthDefaults.Client(sp), HealthDefaults.Namespace(sp, @namespace, checkName), service, minReady),
            failureStatus, tags ?? [RoostHealthTags.Cluster, RoostHealthTags.RoostHa], timeout));
    }

    /// <summary>
    /// The validating (or, when none has the name, mutating) webhook configuration
    /// <paramref name="configuration"/>: each webhook's Service exists and has a ready endpoint. With
    /// <paramref name="handshake"/>, a TLS handshake with each webhook (<c>service.namespace.svc:port</c>, or
    /// its URL) must succeed with a certificate that is in date; one that expires within
    /// <paramref name="minCertificateValidity"/> is Degraded.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configuration">The webhook configuration's name.</param>
    /// <param name="handshake">Also dial each webhook and judge its certificate; default false.</param>
    /// <param name="minCertificateValidity">How long a certificate must still be valid to be Healthy; default 7 days.</param>
    /// <param name="name">The check's name; default "webhook/{configuration}".</param>
    /// <param name="failureStatus">The status reported on failure; default Unhealthy.</param>
    /// <param name="tags">Default "cluster" and "roost-ha".</param>
    /// <param name="timeout">The check's timeout; default the manager's CheckTimeout.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddWebhook(this IHealthChecksBuilder builder, string configuration, bool handshake = false, TimeSpan? minCertificateValidity = null,
        string? name = null, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(configuration);
        var validity = minCertificateValidity ?? DefaultMinCertificateValidity;
        ArgumentOutOfRangeException.ThrowIfLessThan(validity, TimeSpan.Zero, nameof(minCertificateValidity));
        return builder.Add(Registration(name ?? $"webhook/{configuration}", sp => new WebhookHealthCheck(HealthDefaults.Client(sp), configuration, handshake, validity, HealthDefaults.Time(sp)),
            failureStatus, tags ?? [RoostHealthTags.Cluster, RoostHealthTags.RoostHa], timeout));
    }

    private static HealthCheckRegistration Registration(string name, Func<IServiceProvider, IHealthCheck> factory, HealthStatus? failureStatus, IEnumerable<string> tags, TimeSpan? timeout) =>
        new(name, factory, failureStatus, tags, timeout);
}
