using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RoostKeeper.Ha.Election;

namespace RoostKeeper.Ha.Fencing;

// Fencing writes by term: what it guarantees, what it assumes, what it costs, where it cannot help.
//
// The hazard. A leader paused (GC, CPU throttling, a frozen VM) for longer than LeaseDuration − RenewDeadline
// wakes up still inside its own term as far as its memory goes, and may send a write before its clock-driven
// leader token is cancelled: a write prepared from state read before the pause. No lease protocol prevents
// this on its own (client-go says so in its package documentation); the API server has to refuse it.
//
// The fence. Every write of an object the controller owns (1) carries the writer's stamp, the Lease's term
// (leaseTransitions at acquisition, strictly higher for every acquisition: LeaseRecord.ForAcquire), and (2) is
// conditional on the resourceVersion the writer read; (3) before writing, the writer refuses an object whose
// stamp is a newer term (StaleTermException) or cannot be ordered (InvalidTermStampException).
//
// Guarantee, per object O: once a write stamped t' is accepted, no write stamped t < t' is accepted on O.
// Argument: the API server applies writes of one object in a single order and a conditional write succeeds
// only if O's resourceVersion is still the one the writer read. Let w' (term t') be accepted at version r'
// and w (term t < t') be based on a read at version r. If r < r', the object changed after the read (w' at
// least), so w's precondition fails: 409. If r ≥ r', the read saw w' or a later write; every later accepted
// write is stamped ≥ t' by induction, so (3) refuses w before it is sent. Either way w is not accepted. This
// holds for any length of pause and any clock behaviour: it uses no time at all.
//
// Assumed: every writer of O's fenced state goes through a fence of the same Lease (a blind update, an
// apply patch without resourceVersion, or kubectl edit by hand bypasses it), and terms are written only by
// RoostKeeper.Ha electors (client-go keeps leaseTransitions when the same holder re-acquires).
//
// Not guaranteed (say so to your users): (a) objects the newer term has not written yet: a paused ex-leader's
// write to an object no newer term touched is accepted (nothing newer to conflict with); the newer leader
// then reads it, stamped with the older term, and overwrites it; (b) objects recreated after a newer term
// deleted them (a deleted object carries no stamp); (c) objects the controller does not own, and anything
// outside the API server (a cloud API, a database, email): pass the term along and have that system refuse
// older terms, or accept duplicates. Status subresources ignore metadata: keep the stamp in the status
// (CheckStamp) and write status with the resourceVersion read, as the sample does.
//
// Cost: no extra request when the controller already reads before it writes (the check reads the object it
// has; the stamp rides on the write it makes). It costs a read per write where a controller wrote blindly, a
// re-read and retry per 409 (writes that were last-writer-wins now lose to any concurrent change), and about
// 60 bytes of annotation per object.

/// <summary>
/// Fences writes by leadership term: stamps each write with this term and refuses objects already written in
/// a newer term, so that a leader paused past its term cannot overwrite its successor's work. Create one per
/// term in <c>OnStartedLeading</c> (<c>var fence = TermFence.For(leadership);</c>) and write the objects the
/// controller owns through it: <c>await fence.ReplaceAsync(map, (m, ct) => client.CoreV1.ReplaceNamespacedConfigMapAsync(m, m.Name(), m.Namespace(), cancellationToken: ct), token);</c>.
/// </summary>
/// <remarks>
/// Guarantees, per object: once a write of term t' is accepted, no write of an older term is (the API server
/// refuses it with 409 when the writer read before that write; the fence refuses it with
/// <see cref="StaleTermException"/> when the writer read after). It cannot protect objects the newer term has
/// not written yet, objects recreated after a newer term deleted them, or anything outside the API server.
/// No extra requests beyond a read before each write. See docs/fencing.md.
/// </remarks>
public sealed class TermFence
{
    /// <summary>The annotation that carries the stamp unless another is given: <c>roostkeeper.io/term</c>.</summary>
    public const string DefaultAnnotation = "roostkeeper.io/term";

    private readonly ILogger _logger;

    /// <summary>Creates a fence for the term <paramref name="stamp"/>.</summary>
    /// <param name="stamp">This term's stamp (see <see cref="TermStamp.From"/>).</param>
    /// <param name="annotation">The annotation key the stamp is written to; default <see cref="DefaultAnnotation"/>.</param>
    /// <param name="logger">Logs refused writes (event ids 7000–7099); null for none.</param>
    /// <exception cref="ArgumentException"><paramref name="annotation"/> is empty or longer than an annotation key can be (317 characters).</exception>
    public TermFence(TermStamp stamp, string annotation = DefaultAnnotation, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(stamp);
        ArgumentException.ThrowIfNullOrWhiteSpace(annotation);
        if (annotation.Length > 253 + 1 + 63)
        {
            throw new ArgumentException($"'{annotation}' is not an annotation key: at most a 253-character prefix, '/', and a 63-character name.", nameof(annotation));
        }

        Stamp = stamp;
        Annotation = annotation;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>This term's stamp, written on every write through the fence.</summary>
    public TermStamp Stamp { get; }

    /// <summary>The annotation key the stamp is read from and written to.</summary>
    public string Annotation { get; }

    /// <summary>The fence of a term this replica leads, with the default annotation.</summary>
    /// <param name="leadership">The term, as passed to <c>OnStartedLeading</c>.</param>
    /// <param name="logger">Logs refused writes; null for none.</param>
    /// <returns>The fence.</returns>
    public static TermFence For(Leadership leadership, ILogger? logger = null) => new(TermStamp.From(leadership), DefaultAnnotation, logger);

    /// <summary>
    /// The read helper: returns <paramref name="obj"/> when this term may write it (unstamped, or stamped by
    /// this or an older term of the same Lease), and refuses it otherwise.
    /// </summary>
    /// <typeparam name="T">The object's type.</typeparam>
    /// <param name="obj">The object as read.</param>
    /// <returns><paramref name="obj"/>.</returns>
    /// <exception cref="StaleTermException">It was written in a newer term: this term is over.</exception>
    /// <exception cref="InvalidTermStampException">Its stamp is not one, names another Lease, or claims this term for another holder.</exception>
    public T Check<T>(T obj)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(obj);
        CheckValue(Describe(obj), obj.Metadata?.Annotations?.TryGetValue(Annotation, out var value) == true ? value : null);
        return obj;
    }

    /// <summary>The read helper for a stamp kept elsewhere than the annotation (a status field), as its text.</summary>
    /// <param name="objectReference">The object, as "Kind namespace/name", for the message.</param>
    /// <param name="value">The stamp's text; null when the object carries none.</param>
    /// <exception cref="StaleTermException">It is a newer term.</exception>
    /// <exception cref="InvalidTermStampException">It cannot be ordered against this term.</exception>
    public void CheckValue(string objectReference, string? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(objectReference);
        if (value is null)
        {
            return;
        }

        if (!TermStamp.TryParse(value, out var found))
        {
            throw Invalid(objectReference, value, "is not a term stamp (term/lease-namespace/lease-name/holder)");
        }

        CheckStamp(objectReference, found, value);
    }

    /// <summary>The read helper for a stamp kept elsewhere than the annotation, already parsed.</summary>
    /// <param name="objectReference">The object, as "Kind namespace/name", for the message.</param>
    /// <param name="found">The stamp; null when the object carries none.</param>
    /// <exception cref="StaleTermException">It is a newer term.</exception>
    /// <exception cref="InvalidTermStampException">It cannot be ordered against this term.</exception>
    public void CheckStamp(string objectReference, TermStamp? found)
    {
        ArgumentException.ThrowIfNullOrEmpty(objectReference);
        if (found is not null)
        {
            CheckStamp(objectReference, found, found.ToString());
        }
    }

    /// <summary>
    /// Prepares an update: checks <paramref name="obj"/> as read, requires the resourceVersion it was read at
    /// (the precondition the API server enforces) and writes this term's stamp into its annotations.
    /// </summary>
    /// <typeparam name="T">The object's type.</typeparam>
    /// <param name="obj">The object as read and changed; it is stamped in place.</param>
    /// <returns><paramref name="obj"/>, stamped.</returns>
    /// <exception cref="StaleTermException">It was written in a newer term (it is left unchanged).</exception>
    /// <exception cref="InvalidTermStampException">Its stamp cannot be ordered against this term (it is left unchanged).</exception>
    /// <exception cref="InvalidOperationException">It has no resourceVersion, so the update would be unconditional.</exception>
    public T StampForUpdate<T>(T obj)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        Check(obj);
        if (string.IsNullOrEmpty(obj.Metadata?.ResourceVersion))
        {
            throw new InvalidOperationException(
                $"{Describe(obj)} has no metadata.resourceVersion: an update without one is unconditional, so the API server could not refuse it after a newer term's write. Update the object as it was read (get or list), or create it with StampForCreate.");
        }

        return Apply(obj);
    }

    /// <summary>Prepares a create: writes this term's stamp. A create fails with 409 when the object exists, so it needs no other precondition.</summary>
    /// <typeparam name="T">The object's type.</typeparam>
    /// <param name="obj">The new object; it is stamped in place.</param>
    /// <returns><paramref name="obj"/>, stamped.</returns>
    /// <exception cref="InvalidOperationException">It has a resourceVersion (it was read: update it instead).</exception>
    public T StampForCreate<T>(T obj)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (!string.IsNullOrEmpty(obj.Metadata?.ResourceVersion))
        {
            throw new InvalidOperationException($"{Describe(obj)} has a resourceVersion: it was read, so update it (StampForUpdate) rather than create it.");
        }

        return Apply(obj);
    }

    /// <summary>
    /// The one-line fenced update: checks and stamps <paramref name="obj"/> (<see cref="StampForUpdate"/>) and
    /// sends it with <paramref name="replace"/> (a PUT, which carries the resourceVersion read).
    /// </summary>
    /// <typeparam name="T">The object's type.</typeparam>
    /// <param name="obj">The object as read and changed.</param>
    /// <param name="replace">Sends the update, e.g. <c>(m, ct) => client.CoreV1.ReplaceNamespacedConfigMapAsync(m, m.Name(), m.Namespace(), cancellationToken: ct)</c>.</param>
    /// <param name="cancellationToken">The term's token: once it is cancelled nothing is sent.</param>
    /// <returns>The object as the API server wrote it.</returns>
    /// <exception cref="StaleTermException">It was written in a newer term; nothing was sent.</exception>
    /// <exception cref="InvalidTermStampException">Its stamp cannot be ordered against this term; nothing was sent.</exception>
    /// <exception cref="InvalidOperationException">It has no resourceVersion; nothing was sent.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <remarks>A 409 Conflict from the API server (an <c>HttpOperationException</c>) means the object changed after it was read: read it again and retry; the read shows a newer term if there is one.</remarks>
    public Task<T> ReplaceAsync<T>(T obj, Func<T, CancellationToken, Task<T>> replace, CancellationToken cancellationToken)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(replace);
        cancellationToken.ThrowIfCancellationRequested();
        return replace(StampForUpdate(obj), cancellationToken);
    }

    /// <summary>The one-line fenced create: stamps <paramref name="obj"/> and sends it with <paramref name="create"/>.</summary>
    /// <typeparam name="T">The object's type.</typeparam>
    /// <param name="obj">The new object.</param>
    /// <param name="create">Sends the create, e.g. <c>(m, ct) => client.CoreV1.CreateNamespacedConfigMapAsync(m, m.Namespace(), cancellationToken: ct)</c>.</param>
    /// <param name="cancellationToken">The term's token: once it is cancelled nothing is sent.</param>
    /// <returns>The object as the API server wrote it.</returns>
    /// <exception cref="InvalidOperationException">It has a resourceVersion; nothing was sent.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<T> CreateAsync<T>(T obj, Func<T, CancellationToken, Task<T>> create, CancellationToken cancellationToken)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(create);
        cancellationToken.ThrowIfCancellationRequested();
        return create(StampForCreate(obj), cancellationToken);
    }

    /// <summary>
    /// Delete options for a fenced delete: checks <paramref name="obj"/> as read and preconditions the delete
    /// on its uid and resourceVersion, so a delete based on a read from before a newer term's write gets 409.
    /// </summary>
    /// <typeparam name="T">The object's type.</typeparam>
    /// <param name="obj">The object as read.</param>
    /// <returns>The options to pass to the delete call.</returns>
    /// <exception cref="StaleTermException">It was written in a newer term.</exception>
    /// <exception cref="InvalidTermStampException">Its stamp cannot be ordered against this term.</exception>
    /// <exception cref="InvalidOperationException">It has no resourceVersion.</exception>
    public V1DeleteOptions DeleteOptions<T>(T obj)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        Check(obj);
        if (string.IsNullOrEmpty(obj.Metadata?.ResourceVersion))
        {
            throw new InvalidOperationException($"{Describe(obj)} has no metadata.resourceVersion: a delete without the precondition is unconditional. Delete the object as it was read.");
        }

        return new V1DeleteOptions { Preconditions = new V1Preconditions { ResourceVersion = obj.Metadata.ResourceVersion, Uid = obj.Metadata.Uid } };
    }

    /// <inheritdoc/>
    public override string ToString() => $"fence of term {Stamp.Term} of {Stamp.LeaseNamespace}/{Stamp.LeaseName} ({Stamp.Holder}) on {Annotation}";

    private void CheckStamp(string objectReference, TermStamp found, string value)
    {
        if (!found.SameLease(Stamp))
        {
            throw Invalid(objectReference, value, $"is a term of Lease {found.LeaseNamespace}/{found.LeaseName}, not of {Stamp.LeaseNamespace}/{Stamp.LeaseName}: terms of two Leases cannot be ordered");
        }

        if (found.Term > Stamp.Term)
        {
            FencingLog.RefusedStale(_logger, objectReference, Stamp.Term, found.Term, found.Holder);
            throw new StaleTermException(objectReference, Stamp, found);
        }

        if (found.Term == Stamp.Term && found.Holder != Stamp.Holder)
        {
            // Every acquisition writes a higher term, so one term has one holder; a second holder means a
            // writer outside this fleet (or a client-go elector on the Lease) or a hand-edited stamp.
            throw Invalid(objectReference, value, $"claims term {found.Term} for {found.Holder}, but this replica holds it: one term of a Lease has one holder");
        }
    }

    private InvalidTermStampException Invalid(string objectReference, string value, string reason)
    {
        FencingLog.RefusedInvalid(_logger, objectReference, Stamp.Term, Annotation, reason);
        return new InvalidTermStampException(objectReference, Annotation, value, Stamp, reason);
    }

    private T Apply<T>(T obj)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        obj.Metadata ??= new V1ObjectMeta();
        obj.Metadata.Annotations ??= new Dictionary<string, string>();
        obj.Metadata.Annotations[Annotation] = Stamp.ToString();
        return obj;
    }

    private static string Describe<T>(T obj)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var kind = obj.Kind is { Length: > 0 } k ? k : typeof(T).Name.StartsWith('V') && typeof(T).Name.Length > 2 && char.IsAsciiDigit(typeof(T).Name[1]) ? typeof(T).Name[2..] : typeof(T).Name;
        var meta = obj.Metadata;
        return meta?.NamespaceProperty is { Length: > 0 } ns ? $"{kind} {ns}/{meta.Name}" : $"{kind} {meta?.Name}";
    }
}
