using k8s;
using k8s.Models;
using RoostKeeper.Ha.KubernetesApi;

namespace RoostKeeper.Ha.RollingUpdates;

/// <summary>
/// Takes, reads and releases the <see cref="UpdateLock"/> Lease of a Deployment. Every write is conditional (create,
/// or update on the resourceVersion read), so of two managers racing for one Deployment exactly one wins.
/// A lock is ignored when it has expired, when it names no holder, or when it names an update its holder is known
/// to have finished (<c>isFinished</c>: the manager knows which of its own updates run; a lock that names this
/// manager's identity but no update it runs was left by an update that ended without releasing it, e.g. in a
/// process that restarted under the same identity).
/// </summary>
internal sealed class UpdateLocks(RolloutApi api, TimeProvider time)
{
    private IKubernetes Client => api.Kubernetes;

    /// <summary>The lock that blocks an update of the Deployment now, or null.</summary>
    public async Task<UpdateLock?> HeldAsync(string ns, string deployment, Func<UpdateLock, bool> isFinished, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var lease = await ReadAsync(ns, deployment, deadline, cancellationToken).ConfigureAwait(false);
        return UpdateLock.Read(lease) is { } held && Blocks(held, isFinished) ? held : null;
    }

    /// <summary>Takes the lock for <paramref name="mine"/>, or throws <see cref="RollingUpdateInProgressException"/> naming the update that holds it.</summary>
    public async Task AcquireAsync(UpdateLock mine, string ns, string deployment, Func<UpdateLock, bool> isFinished, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var lease = await ReadAsync(ns, deployment, deadline, cancellationToken).ConfigureAwait(false);
            if (UpdateLock.Read(lease) is { } held && held.UpdateId != mine.UpdateId && Blocks(held, isFinished))
            {
                throw new RollingUpdateInProgressException(ns, deployment, held.UpdateId, held.Holder, held.ExpiresAt);
            }

            var desired = mine.Write(lease, ns, deployment, time.GetUtcNow());
            try
            {
                _ = lease is null
                    ? await api.CallAsync("create update lock", ct => Client.CoordinationV1.CreateNamespacedLeaseAsync(desired, ns, cancellationToken: ct), deadline, cancellationToken).ConfigureAwait(false)
                    : await api.CallAsync("take update lock", ct => Client.CoordinationV1.ReplaceNamespacedLeaseAsync(desired, desired.Metadata.Name, ns, cancellationToken: ct), deadline, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (KubernetesApiErrors.Classify(e) == ApiErrorKind.Conflict && attempt < 5 && !cancellationToken.IsCancellationRequested)
            {
                // Someone created or wrote the lock since we read it (another manager, or our own write whose answer
                // was lost): read again and decide on what is there now.
            }
        }
    }

    /// <summary>Deletes the lock if it is still <paramref name="mine"/> (conditional on the version read).</summary>
    public async Task ReleaseAsync(UpdateLock mine, string ns, string deployment, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var lease = await ReadAsync(ns, deployment, deadline, cancellationToken).ConfigureAwait(false);
        if (lease is null || UpdateLock.Read(lease)?.UpdateId != mine.UpdateId)
        {
            return;
        }

        try
        {
            var options = new V1DeleteOptions { Preconditions = new V1Preconditions { ResourceVersion = lease.Metadata.ResourceVersion, Uid = lease.Metadata.Uid } };
            await api.CallAsync("release update lock", ct => Client.CoordinationV1.DeleteNamespacedLeaseAsync(lease.Metadata.Name, ns, options, cancellationToken: ct), deadline, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (KubernetesApiErrors.Classify(e) is ApiErrorKind.NotFound or ApiErrorKind.Conflict)
        {
            // Gone, or taken over since (it had expired): not ours to delete any more.
        }
    }

    private bool Blocks(UpdateLock held, Func<UpdateLock, bool> isFinished) => held.ExpiresAt > time.GetUtcNow() && !isFinished(held);

    private async Task<V1Lease?> ReadAsync(string ns, string deployment, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        try
        {
            return await api.CallAsync("read update lock", ct => Client.CoordinationV1.ReadNamespacedLeaseAsync(UpdateLock.LeaseName(deployment), ns, cancellationToken: ct), deadline, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (KubernetesApiErrors.Classify(e) == ApiErrorKind.NotFound && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
