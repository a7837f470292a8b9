using System.Globalization;
using k8s;
using k8s.Models;

namespace RoostKeeper.Ha.Election;

/// <summary>
/// The Lease record as client-go's resourcelock writes it (holderIdentity, leaseDurationSeconds,
/// acquireTime, renewTime, leaseTransitions), plus our hand-over mark: building, reading, copying and
/// comparing records, with no I/O and no clock of its own.
/// </summary>
internal static class LeaseRecord
{
    /// <summary>
    /// Set by a leader that hands the Lease to a chosen successor: the record names the successor as
    /// holder with a fresh renewTime, so every other elector (ours or client-go's) waits as for any live
    /// leader, while the successor, seeing this mark on the hand-over record itself, takes its term at once.
    /// </summary>
    public const string HandoffAnnotation = "roostkeeper.ha/handoff-to";

    /// <summary>
    /// The Lease's memory of recent hand-overs: "identity@unix-seconds" of each replica that handed the Lease
    /// over, oldest first, at most <see cref="HandOverHistoryLimit"/>. Written in the hand-over record itself,
    /// so the memory and the hand-over land in one conditional write; every later record is a copy of the one
    /// before, so every later leader sees it. The step-down policy reads it for its budget and to avoid
    /// handing back to a replica that already failed as leader.
    /// </summary>
    public const string HandOversAnnotation = "roostkeeper.ha/handovers";

    /// <summary>How many hand-overs the Lease remembers (the step-down budget is at most this).</summary>
    public const int HandOverHistoryLimit = 10;

    /// <summary>A deep copy, so a record we send never aliases one we observed.</summary>
    public static V1Lease Copy(V1Lease lease) => KubernetesJson.Deserialize<V1Lease>(KubernetesJson.Serialize(lease));

    public static string? Holder(V1Lease? lease) => lease?.Spec?.HolderIdentity is { Length: > 0 } holder ? holder : null;

    public static long? Term(V1Lease? lease) => lease?.Spec?.LeaseTransitions;

    /// <summary>Whether <paramref name="lease"/> is still term <paramref name="term"/> held by <paramref name="identity"/>.</summary>
    public static bool IsTermOf(V1Lease? lease, string identity, long term) =>
        lease?.Spec is { } spec && spec.HolderIdentity == identity && spec.LeaseTransitions == term;

    /// <summary>
    /// Whether <paramref name="lease"/> is a hand-over to <paramref name="identity"/> that nobody has renewed
    /// since: a successor running client-go keeps the mark while it renews, so once renewTime moved on, the
    /// mark is spent and the record waits for expiry like any other.
    /// </summary>
    public static bool IsHandedTo(V1Lease? lease, string identity) =>
        lease?.Spec is { } spec
        && spec.HolderIdentity == identity
        && lease.Metadata?.Annotations?.TryGetValue(HandoffAnnotation, out var to) == true && to == identity
        && spec.AcquireTime is { } acquired && spec.RenewTime == acquired;

    /// <summary>
    /// Whether two versions of the Lease carry the same election record (the spec's election fields and the
    /// hand-over mark). Edits of anything else (labels, other annotations) change the resourceVersion but not
    /// the record, and must not restart a follower's expiry count: client-go compares the record the same way.
    /// </summary>
    public static bool SameRecord(V1Lease? a, V1Lease? b) =>
        a?.Spec is { } x && b?.Spec is { } y
        && x.HolderIdentity == y.HolderIdentity
        && x.LeaseDurationSeconds == y.LeaseDurationSeconds
        && x.AcquireTime == y.AcquireTime
        && x.RenewTime == y.RenewTime
        && x.LeaseTransitions == y.LeaseTransitions
        && x.PreferredHolder == y.PreferredHolder
        && x.Strategy == y.Strategy
        && HandoffMark(a) == HandoffMark(b);

    /// <summary>The duration the holder wrote, or <paramref name="fallback"/> when it wrote none.</summary>
    public static TimeSpan Duration(V1Lease? lease, TimeSpan fallback) =>
        lease?.Spec?.LeaseDurationSeconds is > 0 and var seconds ? TimeSpan.FromSeconds(seconds) : fallback;

    /// <summary>
    /// A new term for <paramref name="identity"/>: one past both the observed record's term and the highest
    /// term this replica ever saw, so a Lease deleted and recreated does not start again at zero for anyone
    /// who saw the earlier terms. The hand-over mark is consumed.
    /// </summary>
    public static V1Lease ForAcquire(V1Lease? observed, string namespaceName, string name, string identity, int durationSeconds, DateTime now, long? highestSeen)
    {
        V1Lease desired;
        if (observed is null)
        {
            desired = new V1Lease
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = namespaceName },
                Spec = new V1LeaseSpec { LeaseTransitions = highestSeen is { } seen ? NextTerm(seen) : 0 },
            };
        }
        else
        {
            desired = Copy(observed);
            desired.Spec ??= new V1LeaseSpec();
            desired.Spec.LeaseTransitions = NextTerm(Math.Max(observed.Spec?.LeaseTransitions ?? 0, highestSeen ?? 0));
            desired.Metadata.Annotations?.Remove(HandoffAnnotation);
        }

        desired.Spec.HolderIdentity = identity;
        desired.Spec.LeaseDurationSeconds = durationSeconds;
        desired.Spec.AcquireTime = now;
        desired.Spec.RenewTime = now;
        return desired;
    }

    /// <summary>The leader's renewal of <paramref name="current"/>: same term, a new renewTime.</summary>
    public static V1Lease ForRenewal(V1Lease current, string identity, int durationSeconds, DateTime now)
    {
        var desired = Copy(current);
        desired.Spec.HolderIdentity = identity;
        desired.Spec.LeaseDurationSeconds = durationSeconds;
        desired.Spec.RenewTime = now;
        return desired;
    }

    /// <summary>client-go's release record: no holder, a 1 s duration, transitions kept.</summary>
    public static V1Lease ForRelease(V1Lease current, DateTime now)
    {
        var desired = Copy(current);
        desired.Spec.HolderIdentity = "";
        desired.Spec.LeaseDurationSeconds = 1;
        desired.Spec.AcquireTime = now;
        desired.Spec.RenewTime = now;
        return desired;
    }

    /// <summary>
    /// A hand-over to <paramref name="successor"/>. It starts a new term: a client-go or KubernetesClient
    /// successor treats a record naming it as a renewal and keeps leaseTransitions as written, so writing the
    /// old term would let two leaders share it.
    /// </summary>
    /// <remarks>
    /// <paramref name="graceSeconds"/> is written as the record's leaseDurationSeconds: the successor takes its
    /// term at once and writes its own duration, so a live successor never notices; a successor that died
    /// after the leader chose it leaves a record that every other elector (ours or client-go's) sees expire
    /// after the grace, not after a whole LeaseDuration. The outgoing holder is appended to the hand-over memory.
    /// </remarks>
    public static V1Lease ForHandOver(V1Lease current, string successor, int graceSeconds, DateTime now)
    {
        var desired = Copy(current);
        var from = current.Spec.HolderIdentity;
        desired.Spec.HolderIdentity = successor;
        desired.Spec.LeaseDurationSeconds = graceSeconds;
        desired.Spec.LeaseTransitions = NextTerm(current.Spec.LeaseTransitions ?? 0);
        desired.Spec.AcquireTime = now;
        desired.Spec.RenewTime = now;
        desired.Metadata.Annotations ??= new Dictionary<string, string>();
        desired.Metadata.Annotations[HandoffAnnotation] = successor;
        if (from is { Length: > 0 })
        {
            var history = HandOvers(current).Append(new HandOver(from, new DateTimeOffset(DateTime.SpecifyKind(now, DateTimeKind.Utc))));
            desired.Metadata.Annotations[HandOversAnnotation] = string.Join(
                ',',
                history.TakeLast(HandOverHistoryLimit).Select(h => h.From + "@" + h.At.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
        }

        return desired;
    }

    /// <summary>The hand-overs the Lease remembers, oldest first; entries that cannot be read are skipped.</summary>
    public static IReadOnlyList<HandOver> HandOvers(V1Lease? lease)
    {
        if (lease?.Metadata?.Annotations?.TryGetValue(HandOversAnnotation, out var text) != true || string.IsNullOrEmpty(text))
        {
            return [];
        }

        var result = new List<HandOver>();
        foreach (var entry in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var at = entry.LastIndexOf('@');
            if (at > 0 && long.TryParse(entry.AsSpan(at + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
                && seconds is >= 0 and < 253_402_300_800)
            {
                result.Add(new HandOver(entry[..at], DateTimeOffset.FromUnixTimeSeconds(seconds)));
            }
        }

        return result;
    }

    private static string? HandoffMark(V1Lease lease) =>
        lease.Metadata?.Annotations?.TryGetValue(HandoffAnnotation, out var to) == true ? to : null;

    /// <summary>The term after <paramref name="term"/> (leaseTransitions is an int32 on the wire).</summary>
    private static int NextTerm(long term) => checked((int)(term + 1));
}
