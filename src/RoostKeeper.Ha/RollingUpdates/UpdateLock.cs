using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using k8s.Models;

namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>
/// The cross-replica lock of an update: a coordination.k8s.io Lease per Deployment, <see cref="LeaseName"/> in the
/// Deployment's namespace, holding the manager's identity (holderIdentity), the update's id (annotation
/// <see cref="UpdateIdAnnotation"/>), renewTime and leaseDurationSeconds; it expires so that a holder that died
/// mid-update does not block the Deployment forever.
/// <para>
/// Why a Lease and not an annotation on the Deployment (what earlier versions wrote, <see cref="RollingUpdateManager.LockAnnotation"/>):
/// the Deployment controller copies a Deployment's annotations into each new ReplicaSet, and <c>kubectl rollout undo</c>
/// copies the target ReplicaSet's annotations back, so after an undo the Deployment carried a finished update's lock
/// and refused updates until it expired. Nothing copies a Lease; it is the API's object for exactly this (leader
/// election, kube-node-lease), a conditional create or update on it gives one winner, and the election already needs
/// get/create/update on Leases.
/// </para>
/// </summary>
internal sealed record UpdateLock(string UpdateId, string Holder, DateTimeOffset ExpiresAt)
{
    /// <summary>The update's id on the lock Lease.</summary>
    public const string UpdateIdAnnotation = "roostkeeper.ha/update-id";

    /// <summary>The Deployment a lock Lease belongs to (a label, so an operator can list them).</summary>
    public const string DeploymentLabel = "roostkeeper.ha/rollout-of";

    /// <summary>The lock Lease of <paramref name="deployment"/>: "{deployment}-rollout-lock", shortened with a hash when too long.</summary>
    public static string LeaseName(string deployment)
    {
        const string Suffix = "-rollout-lock";
        return deployment.Length + Suffix.Length <= 253
            ? deployment + Suffix
            : deployment[..(253 - Suffix.Length - 11)].TrimEnd('-', '.') + "-" + Hash(deployment) + Suffix;
    }

    /// <summary>The lock a Lease holds, or null when it holds none (no holder, no update id, or no time).</summary>
    public static UpdateLock? Read(V1Lease? lease)
    {
        if (lease?.Spec?.HolderIdentity is not { Length: > 0 } holder
            || lease.Metadata?.Annotations?.TryGetValue(UpdateIdAnnotation, out var id) != true || string.IsNullOrEmpty(id)
            || (lease.Spec.RenewTime ?? lease.Spec.AcquireTime) is not { } renewed)
        {
            return null;
        }

        var at = new DateTimeOffset(DateTime.SpecifyKind(renewed, DateTimeKind.Utc));
        return new UpdateLock(id, holder, at + TimeSpan.FromSeconds(lease.Spec.LeaseDurationSeconds ?? 0));
    }

    /// <summary>Writes this lock onto <paramref name="lease"/> (a new one when null), taken at <paramref name="now"/>.</summary>
    public V1Lease Write(V1Lease? lease, string ns, string deployment, DateTimeOffset now)
    {
        lease ??= new V1Lease { ApiVersion = "coordination.k8s.io/v1", Kind = "Lease", Metadata = new V1ObjectMeta { Name = LeaseName(deployment), NamespaceProperty = ns } };
        lease.Metadata.Annotations ??= new Dictionary<string, string>();
        lease.Metadata.Annotations[UpdateIdAnnotation] = UpdateId;
        lease.Metadata.Labels ??= new Dictionary<string, string>();
        lease.Metadata.Labels[DeploymentLabel] = deployment.Length <= 63 ? deployment : deployment[..52].TrimEnd('-', '.') + "-" + Hash(deployment);
        lease.Spec ??= new V1LeaseSpec();
        lease.Spec.HolderIdentity = Holder;
        lease.Spec.AcquireTime = now.UtcDateTime;
        lease.Spec.RenewTime = now.UtcDateTime;
        lease.Spec.LeaseDurationSeconds = (int)Math.Clamp(Math.Ceiling((ExpiresAt - now).TotalSeconds), 1, int.MaxValue);
        return lease;
    }

    public string Describe() => $"update {UpdateId} by {Holder} (lock expires {ExpiresAt.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)})";

    private static string Hash(string value) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..10].ToLower(CultureInfo.InvariantCulture);
}
