using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Store;

/// <summary>
/// The garbage collector, run synchronously inside the write that triggers it: a dependent goes when no owner
/// of it is left (dangling references to gone owners are dropped, so a shared dependent survives one owner), an
/// object created or updated with only owners that do not exist is collected, orphaning strips the owner's references, and
/// foreground deletion keeps the owner, with the <c>foregroundDeletion</c> finalizer, until its dependents that
/// set <c>blockOwnerDeletion</c> are gone.
/// </summary>
internal sealed partial class ObjectStore
{
    public const string ForegroundDeletion = "foregroundDeletion";

    // Owners being deleted in the foreground, so that a removal only looks for them when there are any.
    private readonly HashSet<string> _foregroundOwners = new(StringComparer.Ordinal);

    private bool HasDependents(string? uid) =>
        uid is not null && Registry.All().DistinctBy(t => t.StorageKey).Any(t => Bucket(t).Values.Any(o => ObjectMeta.OwnerUids(o).Contains(uid)));

    /// <summary>Whether the owner a reference names exists with that uid (in the dependent's namespace, or cluster-wide).</summary>
    private bool OwnerExists(JsonObject dependent, JsonNode? reference)
    {
        var apiVersion = reference?["apiVersion"]?.GetValue<string>() ?? "";
        var group = apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion[..apiVersion.IndexOf('/', StringComparison.Ordinal)] : "";
        var kind = reference?["kind"]?.GetValue<string>();
        var name = reference?["name"]?.GetValue<string>() ?? "";
        var uid = reference?["uid"]?.GetValue<string>();
        var type = Registry.All().FirstOrDefault(t => t.Group == group && t.Kind == kind);
        return type is not null
            && Bucket(type).TryGetValue((type.Namespaced ? ObjectMeta.Namespace(dependent) ?? "" : "", name), out var owner)
            && ObjectMeta.Uid(owner) == uid;
    }

    /// <summary>After an owner is removed: orphan its dependents, or collect those it was the last owner of.</summary>
    private void CollectDependents(string? ownerUid, bool orphan)
    {
        if (ownerUid is null)
        {
            return;
        }

        foreach (var type in Registry.All().DistinctBy(t => t.StorageKey))
        {
            foreach (var dependent in Bucket(type).Values.Where(o => ObjectMeta.OwnerUids(o).Contains(ownerUid)).ToList())
            {
                var references = (JsonArray)ObjectMeta.Of(dependent)["ownerReferences"]!;
                var othersLeft = references.Any(r => r?["uid"]?.GetValue<string>() != ownerUid && OwnerExists(dependent, r));
                if (orphan || othersLeft)
                {
                    // The collector patches out the references to owners that are gone (the orphan finalizer only the deleted one's).
                    var copy = (JsonObject)dependent.DeepClone();
                    var refs = (JsonArray)ObjectMeta.Of(copy)["ownerReferences"]!;
                    foreach (var r in refs.Where(r => r?["uid"]?.GetValue<string>() == ownerUid || (!orphan && !OwnerExists(dependent, r))).ToList())
                    {
                        refs.Remove(r);
                    }

                    Commit(type, dependent, copy, "MODIFIED");
                }
                else
                {
                    DeleteDependent(type, dependent, foreground: false);
                }
            }
        }
    }

    /// <summary>A new object whose owners all do not exist is collected at once, as the collector does when it sees it.</summary>
    private void CollectIfOrphaned(ResourceType type, JsonObject created)
    {
        if (_dryRun || created["metadata"]?["ownerReferences"] is not JsonArray { Count: > 0 } references || references.Any(r => OwnerExists(created, r)))
        {
            return;
        }

        if (Bucket(type).TryGetValue((ObjectMeta.Namespace(created) ?? "", ObjectMeta.Name(created)), out var stored))
        {
            DeleteDependent(type, stored, foreground: false);
        }
    }

    /// <summary>
    /// An update that changes an object's ownerReferences so that they name only owners that do not exist gets it
    /// collected, as the collector does when its graph sees the new references point at absent owners. An object
    /// already being deleted is left to its finalizers.
    /// </summary>
    private void CollectIfNewlyOrphaned(ResourceType type, JsonObject existing, JsonObject updated)
    {
        if (!ObjectMeta.IsDeleting(updated) && !JsonNode.DeepEquals(existing["metadata"]?["ownerReferences"], updated["metadata"]?["ownerReferences"]))
        {
            CollectIfOrphaned(type, updated);
        }
    }

    /// <summary>
    /// DELETE with <c>propagationPolicy: Foreground</c> of an object that has dependents: it is marked deleting with
    /// the foregroundDeletion finalizer, its dependents are deleted (in the foreground too), and it goes once none
    /// of them that block owner deletion is left and no other finalizer holds it.
    /// </summary>
    private (JsonObject Object, bool Kept) DeleteForeground(ResourceType type, JsonObject existing)
    {
        var marked = (JsonObject)existing.DeepClone();
        var metadata = ObjectMeta.Of(marked);
        metadata["deletionTimestamp"] = ObjectMeta.Timestamp(Time.GetUtcNow());
        metadata["deletionGracePeriodSeconds"] = 0;
        if (metadata["finalizers"] is not JsonArray finalizers)
        {
            finalizers = [];
            metadata["finalizers"] = finalizers;
        }

        finalizers.Add(ForegroundDeletion);
        Commit(type, existing, marked, "MODIFIED");
        if (_dryRun)
        {
            return ((JsonObject)marked.DeepClone(), true);
        }

        var uid = ObjectMeta.Uid(existing)!;
        _foregroundOwners.Add(uid);
        foreach (var dependentType in Registry.All().DistinctBy(t => t.StorageKey))
        {
            foreach (var dependent in Bucket(dependentType).Values.Where(o => ObjectMeta.OwnerUids(o).Contains(uid)).ToList())
            {
                DeleteDependent(dependentType, dependent, foreground: true);
            }
        }

        TryFinishForeground(uid);
        var key = (ObjectMeta.Namespace(existing) ?? "", ObjectMeta.Name(existing));
        return Bucket(type).TryGetValue(key, out var kept) ? ((JsonObject)kept.DeepClone(), true) : ((JsonObject)marked.DeepClone(), false);
    }

    private void DeleteDependent(ResourceType type, JsonObject dependent, bool foreground)
    {
        if (!Bucket(type).ContainsKey((ObjectMeta.Namespace(dependent) ?? "", ObjectMeta.Name(dependent))))
        {
            return; // collected earlier in the same cascade
        }

        if (foreground && !ObjectMeta.IsDeleting(dependent) && HasDependents(ObjectMeta.Uid(dependent)))
        {
            DeleteForeground(type, dependent);
        }
        else if (ObjectMeta.HasFinalizers(dependent))
        {
            if (!ObjectMeta.IsDeleting(dependent))
            {
                var marked = (JsonObject)dependent.DeepClone();
                ObjectMeta.Of(marked)["deletionTimestamp"] = ObjectMeta.Timestamp(Time.GetUtcNow());
                ObjectMeta.Of(marked)["deletionGracePeriodSeconds"] = 0;
                Commit(type, dependent, marked, "MODIFIED");
            }
        }
        else
        {
            Remove(type, dependent, orphanDependents: false);
        }
    }

    /// <summary>After a removal, lets go of the owners in foreground deletion that it was the last blocking dependent of.</summary>
    private void FinishForegroundOwners(JsonObject removed)
    {
        if (_foregroundOwners.Count == 0)
        {
            return;
        }

        foreach (var ownerUid in ObjectMeta.OwnerUids(removed).Where(_foregroundOwners.Contains).ToList())
        {
            TryFinishForeground(ownerUid);
        }
    }

    private void TryFinishForeground(string ownerUid)
    {
        var types = Registry.All().DistinctBy(t => t.StorageKey).ToList();
        var blocked = types.Any(t => Bucket(t).Values.Any(o => (o["metadata"]?["ownerReferences"] as JsonArray ?? [])
            .Any(r => r?["uid"]?.GetValue<string>() == ownerUid && r["blockOwnerDeletion"]?.GetValue<bool>() == true)));
        if (blocked)
        {
            return;
        }

        _foregroundOwners.Remove(ownerUid);
        foreach (var type in types)
        {
            if (Bucket(type).Values.FirstOrDefault(o => ObjectMeta.Uid(o) == ownerUid) is not { } owner)
            {
                continue;
            }

            var released = (JsonObject)owner.DeepClone();
            var finalizers = (JsonArray)ObjectMeta.Of(released)["finalizers"]!;
            foreach (var f in finalizers.Where(f => f?.GetValue<string>() == ForegroundDeletion).ToList())
            {
                finalizers.Remove(f);
            }

            if (finalizers.Count == 0)
            {
                ObjectMeta.Of(released).Remove("finalizers");
            }

            Commit(type, owner, released, "MODIFIED");
            if (finalizers.Count == 0)
            {
                Remove(type, released, orphanDependents: false);
            }

            return;
        }
    }
}
