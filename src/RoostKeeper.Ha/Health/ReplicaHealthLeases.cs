using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RoostKeeper.Ha.KubernetesApi;

namespace RoostKeeper.Ha.Health;

/// <summary>
/// How replicas learn each other's health, for the step-down policy: each replica keeps one Lease of its
/// own, <c>{election lease}-health-{identity}</c>, labelled with the election Lease's name, holding its
/// identity, its last overall status (annotation <c>roostkeeper.ha/health</c>) and a renewTime; a record
/// not renewed within its leaseDurationSeconds (three rounds) counts as unknown. The leader reads them all
/// with one LIST by label; the leader deletes records nobody renewed for a long time (<see cref="CollectStaleAsync"/>).
/// Why Leases: they are the API's object for heartbeats (kube-node-lease, LeaseCandidate of coordinated
/// leader election), the election already needs get/list/create/update on Leases in this namespace (no new
/// RBAC, where annotating its own Pod would need patch on pods), and a replica without a pod (tests,
/// out-of-cluster runs) can publish too. The cost: a record outlives its replica until the leader's
/// collection deletes it (until then it is only judged stale, never trusted), which needs delete on Leases.
/// </summary>
internal sealed class ReplicaHealthLeases
{
    public const string StatusAnnotation = "roostkeeper.ha/health";
    public const string ElectionLabel = "roostkeeper.ha/health-of";

    private readonly IKubernetes _client;
    private readonly string _namespace;
    private readonly string _identity;
    private readonly string _name;
    private readonly string _label;
    private readonly int _validitySeconds;
    private readonly TimeProvider _time;
    private V1Lease? _mine;

    public ReplicaHealthLeases(IKubernetes client, string ns, string electionLease, string identity, TimeSpan validity, TimeProvider time)
    {
        _client = client;
        _namespace = ns;
        _identity = identity;
        _name = LeaseName(electionLease, identity);
        _label = LabelValue(electionLease);
        _validitySeconds = Math.Max(1, (int)Math.Ceiling(validity.TotalSeconds));
        _time = time;
    }

    public string Name => _name;

    /// <summary>Writes this replica's status: one UPDATE with the cached resourceVersion; CREATE the first time; re-read on conflict.</summary>
    public async Task PublishAsync(HealthStatus status, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var lease = _mine ?? Fresh();
            lease.Metadata.Annotations ??= new Dictionary<string, string>();
            lease.Metadata.Annotations[StatusAnnotation] = status.ToString();
            lease.Metadata.Labels ??= new Dictionary<string, string>();
            lease.Metadata.Labels[ElectionLabel] = _label;
            lease.Spec ??= new V1LeaseSpec();
            lease.Spec.HolderIdentity = _identity;
            lease.Spec.LeaseDurationSeconds = _validitySeconds;
            lease.Spec.RenewTime = _time.GetUtcNow().UtcDateTime;
            try
            {
                _mine = _mine is null
                    ? await _client.CoordinationV1.CreateNamespacedLeaseAsync(lease, _namespace, cancellationToken: cancellationToken).ConfigureAwait(false)
                    : await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, _name, _namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (attempt == 0 && KubernetesApiErrors.Classify(e) is ApiErrorKind.Conflict or ApiErrorKind.NotFound)
            {
                // Conflict: someone else wrote it (or it exists from an earlier process): take the current
                // version. NotFound: it was deleted: create it again.
                _mine = KubernetesApiErrors.Classify(e) == ApiErrorKind.NotFound
                    ? null
                    : await ReadOwnAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The other replicas' published health (one LIST). A record is fresh when renewed within both its own
    /// validity and <paramref name="freshness"/> (the step-down policy passes two monitor Intervals: a live
    /// replica publishes every Interval, so an older record belongs to a replica that is dead, stuck or slow).
    /// </summary>
    public async Task<IReadOnlyList<PeerHealth>> ReadPeersAsync(TimeSpan freshness, CancellationToken cancellationToken)
    {
        var list = await _client.CoordinationV1.ListNamespacedLeaseAsync(_namespace, labelSelector: $"{ElectionLabel}={_label}", cancellationToken: cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var peers = new List<PeerHealth>();
        foreach (var lease in list.Items)
        {
            if (lease.Spec?.HolderIdentity is not { Length: > 0 } identity || identity == _identity
                || lease.Metadata?.Annotations?.TryGetValue(StatusAnnotation, out var text) != true
                || !Enum.TryParse<HealthStatus>(text, out var status)
                || lease.Spec.RenewTime is not { } renewed)
            {
                continue;
            }

            var renewedAt = new DateTimeOffset(DateTime.SpecifyKind(renewed, DateTimeKind.Utc));
            var age = now - renewedAt;
            var fresh = age <= TimeSpan.FromSeconds(lease.Spec.LeaseDurationSeconds ?? 0) && age <= freshness;
            peers.Add(new PeerHealth(identity, status, renewedAt, fresh));
        }

        return peers;
    }

    /// <summary>
    /// Deletes the other replicas' health Leases not renewed for <paramref name="staleAfter"/> (replicas that
    /// are gone: a rolled pod has a new name and never renews the old record). Each delete is conditional on the
    /// resourceVersion that was judged stale, so a replica that renewed in between keeps its record; one that
    /// was deleted anyway recreates it on its next round. Returns the records deleted.
    /// </summary>
    public async Task<IReadOnlyList<(string Lease, string Identity, DateTimeOffset RenewedAt)>> CollectStaleAsync(TimeSpan staleAfter, CancellationToken cancellationToken)
    {
        var list = await _client.CoordinationV1.ListNamespacedLeaseAsync(_namespace, labelSelector: $"{ElectionLabel}={_label}", cancellationToken: cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var deleted = new List<(string, string, DateTimeOffset)>();
        foreach (var lease in list.Items)
        {
            var renewed = lease.Spec?.RenewTime ?? lease.Metadata?.CreationTimestamp;
            if (lease.Metadata?.Name is not { } name || name == _name || renewed is null)
            {
                continue;
            }

            var renewedAt = new DateTimeOffset(DateTime.SpecifyKind(renewed.Value, DateTimeKind.Utc));
            if (now - renewedAt <= staleAfter)
            {
                continue;
            }

            try
            {
                var options = new V1DeleteOptions { Preconditions = new V1Preconditions { ResourceVersion = lease.Metadata.ResourceVersion, Uid = lease.Metadata.Uid } };
                await _client.CoordinationV1.DeleteNamespacedLeaseAsync(name, _namespace, options, cancellationToken: cancellationToken).ConfigureAwait(false);
                deleted.Add((name, lease.Spec?.HolderIdentity ?? "", renewedAt));
            }
            catch (Exception e) when (KubernetesApiErrors.Classify(e) is ApiErrorKind.Conflict or ApiErrorKind.NotFound)
            {
                // Renewed or deleted since the LIST: not ours to delete any more.
            }
        }

        return deleted;
    }

    private async Task<V1Lease?> ReadOwnAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _client.CoordinationV1.ReadNamespacedLeaseAsync(_name, _namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (KubernetesApiErrors.Classify(e) == ApiErrorKind.NotFound)
        {
            return null;
        }
    }

    private V1Lease Fresh() => new()
    {
        ApiVersion = "coordination.k8s.io/v1",
        Kind = "Lease",
        Metadata = new V1ObjectMeta { Name = _name, NamespaceProperty = _namespace },
        Spec = new V1LeaseSpec(),
    };

    /// <summary>A valid object name per replica: the identity lowercased with other characters as '-', plus a hash when that changed it or it is long.</summary>
    internal static string LeaseName(string electionLease, string identity)
    {
        var cleaned = new string(identity.ToLowerInvariant().Select(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' ? c : '-').ToArray()).Trim('-');
        var prefix = electionLease.Length > 180 ? electionLease[..180].TrimEnd('-', '.') : electionLease;
        if (cleaned != identity || cleaned.Length > 50 || cleaned.Length == 0)
        {
            cleaned = (cleaned.Length > 50 ? cleaned[..50].TrimEnd('-') : cleaned) + "-" + Hash(identity);
            cleaned = cleaned.TrimStart('-');
        }

        return $"{prefix}-health-{cleaned}";
    }

    private static string LabelValue(string electionLease) =>
        electionLease.Length <= 63 ? electionLease : electionLease[..50].TrimEnd('-', '.') + "-" + Hash(electionLease);

    private static string Hash(string value) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..10].ToLower(CultureInfo.InvariantCulture);
}
