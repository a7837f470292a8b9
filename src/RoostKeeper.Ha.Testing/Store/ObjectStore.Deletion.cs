using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Store;

/// <summary>Deletion: preconditions, finalizers and deletionTimestamp, and namespace termination (garbage collection is in <c>ObjectStore.GarbageCollection.cs</c>).</summary>
internal sealed partial class ObjectStore
{
    /// <summary>
    /// DELETE. Returns the object as it stands afterwards: marked for deletion when finalizers keep it
    /// (<c>Kept</c>), else as it was removed.
    /// </summary>
    public (JsonObject Object, bool Kept) Delete(ResourceType type, string? ns, string name, string? precondUid = null, string? precondVersion = null, bool orphanDependents = false, bool dryRun = false, bool foreground = false)
    {
        lock (_gate)
        {
            using var scope = DryRunScope(dryRun);
            var existing = Find(type, ns, name);
            if (precondUid is not null && precondUid != ObjectMeta.Uid(existing))
            {
                throw ApiException.Conflict(type, name, $"Precondition failed: UID in precondition: {precondUid}, UID in object meta: {ObjectMeta.Uid(existing)}");
            }

            if (precondVersion is not null && precondVersion != ObjectMeta.ResourceVersion(existing))
            {
                throw ApiException.Conflict(type, name, $"Precondition failed: ResourceVersion in precondition: {precondVersion}, ResourceVersion in object meta: {ObjectMeta.ResourceVersion(existing)}");
            }

            if (type == ResourceRegistry.Namespaces)
            {
                return TerminateNamespace(existing);
            }

            if (foreground && !ObjectMeta.IsDeleting(existing) && HasDependents(ObjectMeta.Uid(existing)))
            {
                return DeleteForeground(type, existing);
            }

            if (ObjectMeta.HasFinalizers(existing))
            {
                if (ObjectMeta.IsDeleting(existing))
                {
                    return ((JsonObject)existing.DeepClone(), true);
                }

                var marked = (JsonObject)existing.DeepClone();
                ObjectMeta.Of(marked)["deletionTimestamp"] = ObjectMeta.Timestamp(Time.GetUtcNow());
                ObjectMeta.Of(marked)["deletionGracePeriodSeconds"] = 0;
                Commit(type, existing, marked, "MODIFIED");
                return ((JsonObject)marked.DeepClone(), true);
            }

            return (Remove(type, existing, orphanDependents), false);
        }
    }

    /// <summary>Removes the object (and what it takes with it) and returns a copy of it as removed.</summary>
    private JsonObject Remove(ResourceType type, JsonObject existing, bool orphanDependents)
    {
        if (_dryRun)
        {
            return (JsonObject)existing.DeepClone();
        }

        var ns = ObjectMeta.Namespace(existing) ?? "";
        var name = ObjectMeta.Name(existing);
        Bucket(type).Remove((ns, name));
        var removed = (JsonObject)existing.DeepClone();
        ObjectMeta.Of(removed)["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
        Record(new StoredChange(_resourceVersion, "DELETED", type, existing, removed));

        if (type == ResourceRegistry.CustomResourceDefinitions)
        {
            foreach (var served in Registry.Unregister(name).DistinctBy(t => t.StorageKey))
            {
                foreach (var instance in Bucket(served).Values.ToList())
                {
                    Remove(served, instance, orphanDependents: false);
                }
            }
        }

        if (type == ResourceRegistry.Namespaces)
        {
            foreach (var resource in Registry.All().Where(t => t.Namespaced).DistinctBy(t => t.StorageKey))
            {
                foreach (var contained in Bucket(resource).Where(p => p.Key.Namespace == name).Select(p => p.Value).ToList())
                {
                    Remove(resource, contained, orphanDependents: false);
                }
            }
        }

        CollectDependents(ObjectMeta.Uid(existing), orphanDependents);
        FinishForegroundOwners(existing);
        if (type.Namespaced && ns.Length > 0)
        {
            TryFinalizeNamespace(ns);
        }

        return (JsonObject)removed.DeepClone();
    }

    /// <summary>
    /// Namespace deletion as the namespace controller does it: the namespace turns Terminating, everything in it is
    /// deleted (objects with finalizers are only marked), and the namespace goes once nothing is left in it.
    /// </summary>
    private (JsonObject Object, bool Kept) TerminateNamespace(JsonObject existing)
    {
        var name = ObjectMeta.Name(existing);
        var current = existing;
        if (!ObjectMeta.IsDeleting(existing))
        {
            current = (JsonObject)existing.DeepClone();
            ObjectMeta.Of(current)["deletionTimestamp"] = ObjectMeta.Timestamp(Time.GetUtcNow());
            current["status"] = new JsonObject { ["phase"] = "Terminating" };
            Commit(ResourceRegistry.Namespaces, existing, current, "MODIFIED");
        }

        if (_dryRun)
        {
            return ((JsonObject)current.DeepClone(), true);
        }

        foreach (var resource in Registry.All().Where(t => t.Namespaced).DistinctBy(t => t.StorageKey))
        {
            var bucket = Bucket(resource);
            foreach (var key in bucket.Keys.Where(k => k.Namespace == name).ToList())
            {
                if (!bucket.TryGetValue(key, out var contained))
                {
                    continue; // collected with an owner removed earlier in this loop
                }

                if (!ObjectMeta.HasFinalizers(contained))
                {
                    Remove(resource, contained, orphanDependents: false);
                }
                else if (!ObjectMeta.IsDeleting(contained))
                {
                    var marked = (JsonObject)contained.DeepClone();
                    ObjectMeta.Of(marked)["deletionTimestamp"] = ObjectMeta.Timestamp(Time.GetUtcNow());
                    ObjectMeta.Of(marked)["deletionGracePeriodSeconds"] = 0;
                    Commit(resource, contained, marked, "MODIFIED");
                }
            }
        }

        TryFinalizeNamespace(name);
        ReportNamespaceConditions(name);
        return Bucket(ResourceRegistry.Namespaces).TryGetValue(("", name), out var kept)
            ? ((JsonObject)kept.DeepClone(), true)
            : ((JsonObject)current.DeepClone(), false);
    }

    /// <summary>Removes a Terminating namespace once nothing is left in it and no finalizer holds it.</summary>
    private void TryFinalizeNamespace(string name)
    {
        if (!Bucket(ResourceRegistry.Namespaces).TryGetValue(("", name), out var ns) || !ObjectMeta.IsDeleting(ns) || ObjectMeta.HasFinalizers(ns))
        {
            return;
        }

        if (Registry.All().Where(t => t.Namespaced).DistinctBy(t => t.StorageKey).Any(t => Bucket(t).Keys.Any(k => k.Namespace == name)))
        {
            return;
        }

        Remove(ResourceRegistry.Namespaces, ns, orphanDependents: false);
    }
}
