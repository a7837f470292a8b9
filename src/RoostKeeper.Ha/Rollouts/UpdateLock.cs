using System.Globalization;
using k8s.Models;

namespace RoostKeeper.Ha.Rollouts;

/// <summary>
/// The cross-replica lock of an update: the annotation <see cref="RollingUpdateManager.LockAnnotation"/> on the
/// Deployment, "id=…;holder=…;expires=…", written in the same optimistic-concurrency update (resourceVersion) as the
/// new template, so two managers can never both start an update of one Deployment. It expires so that a holder that
/// died mid-update does not block the Deployment forever.
/// </summary>
internal sealed record UpdateLock(string UpdateId, string Holder, DateTimeOffset ExpiresAt)
{
    public string Format() => $"id={UpdateId};holder={Holder};expires={ExpiresAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}";

    /// <summary>The lock on <paramref name="deployment"/>, or null when there is none or it cannot be read.</summary>
    public static UpdateLock? Read(V1Deployment deployment)
    {
        if (deployment.Metadata?.Annotations?.TryGetValue(RollingUpdateManager.LockAnnotation, out var text) != true || string.IsNullOrEmpty(text))
        {
            return null;
        }

        var fields = text.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('=', 2))
            .Where(kv => kv.Length == 2)
            .ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal);
        return fields.TryGetValue("id", out var id) && fields.TryGetValue("holder", out var holder)
            && fields.TryGetValue("expires", out var expires)
            && DateTimeOffset.TryParse(expires, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? new UpdateLock(id, holder, at)
            : null;
    }
}
