using System.Globalization;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RoostKeeper.Ha.Election;
using RoostKeeper.Ha.KubernetesApi;

namespace RoostKeeper.Ha.Health.Checks;

/// <summary>
/// client-go's HealthzAdaptor rule, on the Lease as the API server holds it now. On the leader: Unhealthy
/// (the failure status) when the Lease names another holder, or when this replica's last renewal is older
/// than LeaseDuration plus the tolerance (the renewal was stamped by this replica's own clock, so no
/// clock skew enters). On any replica: Degraded when no unexpired holder exists (no one leads). Without
/// an election in the process the check only judges the Lease (holder and expiry).
/// </summary>
internal sealed class LeaderElectionHealthCheck : IHealthCheck
{
    private readonly ILeaderElector? _elector;
    private readonly IKubernetes? _client;
    private readonly string _namespace;
    private readonly string _lease;
    private readonly TimeSpan _tolerance;
    private readonly TimeProvider _time;

    /// <summary>Judges the election of <paramref name="elector"/> (this replica).</summary>
    public LeaderElectionHealthCheck(ILeaderElector elector, TimeSpan tolerance, TimeProvider time)
    {
        _elector = elector;
        _namespace = elector.Settings.LeaseNamespace;
        _lease = elector.Settings.LeaseName;
        _tolerance = tolerance;
        _time = time;
    }

    /// <summary>Judges a Lease this process does not compete for (holder and expiry only).</summary>
    public LeaderElectionHealthCheck(IKubernetes client, string ns, string lease, TimeSpan tolerance, TimeProvider time)
    {
        _client = client;
        _namespace = ns;
        _lease = lease;
        _tolerance = tolerance;
        _time = time;
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failure = context.Registration.FailureStatus;
        var name = $"Lease {_namespace}/{_lease}";
        if (_elector?.Refusal is { } refused)
        {
            // A configuration that can never work (RBAC, a missing namespace): say so, and what to change,
            // rather than "no replica leads", which reads as a transient state.
            return new HealthCheckResult(failure, Describe(refused, _elector.Identity, name), data: new Dictionary<string, object>
            {
                ["lease"] = $"{_namespace}/{_lease}",
                ["isLeader"] = _elector.IsLeader,
                ["refusedStatus"] = refused.StatusCode,
                ["refusedVerb"] = refused.Verb,
                ["refusals"] = refused.Count,
            });
        }

        V1Lease? lease;
        try
        {
            lease = _elector is not null
                ? await _elector.ReadForStatusAsync(cancellationToken).ConfigureAwait(false)
                : await KubernetesReads.For(_client!).ReadLeaseAsync(_namespace, _lease, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (KubernetesApiErrors.IsApiOrNetwork(e) && !cancellationToken.IsCancellationRequested)
        {
            if (KubernetesApiErrors.Classify(e) == ApiErrorKind.NotFound)
            {
                lease = null;
            }
            else
            {
                return new HealthCheckResult(failure, $"{name} cannot be read: {KubernetesApiErrors.Describe(e)}.", e);
            }
        }

        var spec = lease?.Spec;
        var holder = spec?.HolderIdentity is { Length: > 0 } h ? h : null;
        var duration = spec?.LeaseDurationSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : _elector?.Settings.LeaseDuration ?? TimeSpan.Zero;
        var renewed = spec?.RenewTime is { } renew ? new DateTimeOffset(DateTime.SpecifyKind(renew, DateTimeKind.Utc)) : (DateTimeOffset?)null;
        var sinceRenew = renewed is { } r ? _time.GetUtcNow() - r : (TimeSpan?)null;
        var data = new Dictionary<string, object>
        {
            ["lease"] = $"{_namespace}/{_lease}",
            ["holder"] = holder ?? "",
            ["isLeader"] = _elector?.IsLeader ?? false,
        };
        if (sinceRenew is { } age)
        {
            data["secondsSinceRenew"] = Math.Round(age.TotalSeconds, 3);
        }

        if (_elector is { IsLeader: true })
        {
            var identity = _elector.Identity;
            if (holder != identity)
            {
                return new HealthCheckResult(failure, $"{identity} acts as leader but {name} names {holder ?? "no holder"}.", data: data);
            }

            // HealthzAdaptor: a leader may miss renewals for up to LeaseDuration + tolerance before it is called unhealthy.
            if (sinceRenew is null || sinceRenew > duration + _tolerance)
            {
                return new HealthCheckResult(failure, $"{identity} leads but last renewed {name} {Seconds(sinceRenew)} ago, more than LeaseDuration ({Seconds(duration)}) + tolerance ({Seconds(_tolerance)}).", data: data);
            }

            return HealthCheckResult.Healthy($"{identity} leads {name} (term {_elector.Leadership?.Term.ToString(CultureInfo.InvariantCulture) ?? "?"}), renewed {Seconds(sinceRenew)} ago.", data);
        }

        if (holder is null)
        {
            return HealthCheckResult.Degraded($"No replica holds {name}.", data: data);
        }

        // A follower judges expiry on its own monotonic clock (the elector's view); without one, by renewTime
        // with the tolerance absorbing clock skew between the holder and this replica.
        var expired = _elector is not null
            ? _elector.CurrentLeader is null
            : sinceRenew is null || sinceRenew > duration + _tolerance;
        return expired
            ? HealthCheckResult.Degraded($"{name} is held by {holder} but has expired (renewed {Seconds(sinceRenew)} ago, LeaseDuration {Seconds(duration)}).", data: data)
            : HealthCheckResult.Healthy($"{holder} leads {name}.", data);
    }

    /// <summary>The refusal as a health description: what was refused, the server's words, and the fix.</summary>
    internal static string Describe(LeaseRefusal refused, string identity, string lease) => refused.Describe(identity, lease);

    private static string Seconds(TimeSpan? value) =>
        value is { } v ? v.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s" : "never";
}
