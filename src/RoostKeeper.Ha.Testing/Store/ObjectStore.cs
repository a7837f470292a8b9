using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using RoostKeeper.Ha.Testing.Api;
using RoostKeeper.Ha.Testing.Diagnostics;
using RoostKeeper.Ha.Testing.Patching;

namespace RoostKeeper.Ha.Testing.Store;

/// <summary>
/// The simulated etcd plus the API server's generic registry: objects by resource, namespace and name,
/// one cluster-wide resourceVersion counter, a bounded change history for watches, optimistic
/// concurrency, generation, the status subresource, finalizers and owner-reference garbage collection.
/// One lock serialises every write, which is what makes resourceVersions a total order.
/// </summary>
internal sealed partial class ObjectStore
{
    private const string ConflictMessage = "the object has been modified; please apply your changes to the latest version and try again";

    private readonly object _gate = new();
    private readonly Dictionary<(string Group, string Plural), SortedDictionary<(string Namespace, string Name), JsonObject>> _objects = [];
    private readonly LinkedList<StoredChange> _history = new();
    private readonly List<WatchSubscription> _watchers = [];
    private readonly List<IObjectDefaulter> _defaulters = [];
    private readonly int _historyLimit;
    private long _resourceVersion;
    private long _compactedThrough;

    // Set, under the lock, for the length of one dry-run request: validation and defaulting run as for a
    // real write, and Commit/Remove leave the store, the history and the resourceVersion untouched.
    private bool _dryRun;

    public ObjectStore(ResourceRegistry registry, TimeProvider time, int historyLimit, SimulatorErrors? errors = null)
    {
        Registry = registry;
        Time = time;
        Errors = errors ?? new SimulatorErrors(NullLoggerFactory.Instance, time);
        _historyLimit = historyLimit;
        foreach (var ns in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
        {
            Create(ResourceRegistry.Namespaces, null, new JsonObject { ["metadata"] = new JsonObject { ["name"] = ns } });
        }
    }

    public ResourceRegistry Registry { get; }

    public TimeProvider Time { get; }

    /// <summary>Where the controllers that run on this store report unexpected errors.</summary>
    public SimulatorErrors Errors { get; }

    public long CurrentResourceVersion
    {
        get
        {
            lock (_gate)
            {
                return _resourceVersion;
            }
        }
    }

    public void AddDefaulter(IObjectDefaulter defaulter)
    {
        lock (_gate)
        {
            _defaulters.Add(defaulter);
        }
    }

    /// <summary>Forgets the change history, so that watches from any earlier resourceVersion get 410 Gone.</summary>
    public void CompactHistory()
    {
        lock (_gate)
        {
            _history.Clear();
            _compactedThrough = _resourceVersion;
        }
    }

    public JsonObject Get(ResourceType type, string? ns, string name)
    {
        lock (_gate)
        {
            return (JsonObject)Find(type, ns, name).DeepClone();
        }
    }

    public JsonObject? TryGet(ResourceType type, string? ns, string name)
    {
        lock (_gate)
        {
            return Bucket(type).TryGetValue((ns ?? "", name), out var obj) ? (JsonObject)obj.DeepClone() : null;
        }
    }

    /// <summary>
    /// Lists the matching objects, paged by <paramref name="limit"/> with an opaque continue token. Every page of one
    /// list shows the objects as they stood when its first page was read (etcd serves continuations at that
    /// revision), and remainingItemCount is only counted for lists without selectors, as the real server does.
    /// </summary>
    public ListResult List(WatchFilter filter, int? limit = null, string? continueToken = null)
    {
        lock (_gate)
        {
            var (startAfter, tokenVersion) = DecodeContinue(continueToken);
            if (continueToken is not null && tokenVersion < _compactedThrough)
            {
                throw ApiException.Gone("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.");
            }

            var snapshotVersion = tokenVersion ?? _resourceVersion;
            IEnumerable<KeyValuePair<(string Namespace, string Name), JsonObject>> candidates =
                snapshotVersion < _resourceVersion ? SnapshotAt(filter.Type, snapshotVersion) : Bucket(filter.Type);
            if (filter.Namespace is { } ns)
            {
                candidates = candidates.Where(p => p.Key.Namespace == ns);
            }

            if (filter.Fields.Name is { } pinned)
            {
                candidates = candidates.Where(p => p.Key.Name == pinned);
            }

            if (startAfter is { } after)
            {
                candidates = candidates.Where(p => Compare(p.Key, after) > 0);
            }

            var matching = candidates.Select(p => p.Value).Where(o => filter.Labels.Matches(o) && filter.Fields.Matches(o)).ToList();
            if (limit is not > 0 || matching.Count <= limit)
            {
                return new ListResult(matching, snapshotVersion, null, null);
            }

            var page = matching.Take(limit.Value).ToList();
            var last = page[^1];
            var token = EncodeContinue(ObjectMeta.Namespace(last) ?? "", ObjectMeta.Name(last), snapshotVersion);
            var selects = !ReferenceEquals(filter.Labels, LabelSelector.Everything) || !ReferenceEquals(filter.Fields, FieldSelector.Everything);
            return new ListResult(page, snapshotVersion, token, selects ? null : matching.Count - page.Count);
        }
    }

    /// <summary>The objects of <paramref name="type"/> as they stood at <paramref name="version"/>: the current ones with later changes rolled back.</summary>
    private SortedDictionary<(string Namespace, string Name), JsonObject> SnapshotAt(ResourceType type, long version)
    {
        var snapshot = new SortedDictionary<(string Namespace, string Name), JsonObject>(Bucket(type), Comparer<(string, string)>.Create(Compare));
        for (var node = _history.Last; node is not null && node.Value.ResourceVersion > version; node = node.Previous)
        {
            var change = node.Value;
            if (change.ResourceType.StorageKey != type.StorageKey)
            {
                continue;
            }

            var key = (ObjectMeta.Namespace(change.After) ?? "", ObjectMeta.Name(change.After));
            if (change.Before is null)
            {
                snapshot.Remove(key);
            }
            else
            {
                snapshot[key] = change.Before;
            }
        }

        return snapshot;
    }

    /// <summary>POST: creates the object; with <paramref name="dryRun"/> only validates and defaults it.</summary>
    public JsonObject Create(ResourceType type, string? ns, JsonObject body, bool dryRun = false)
    {
        lock (_gate)
        {
            using var scope = DryRunScope(dryRun);
            var obj = (JsonObject)body.DeepClone();
            var metadata = ObjectMeta.Of(obj);
            ns = ResolveNamespace(type, ns, metadata);
            var name = metadata["name"]?.GetValue<string>();
            if (string.IsNullOrEmpty(name))
            {
                var generateName = metadata["generateName"]?.GetValue<string>();
                if (string.IsNullOrEmpty(generateName))
                {
                    throw ApiException.Invalid(type, "", "metadata.name: Required value: name or generateName is required");
                }

                do
                {
                    name = generateName + RandomSuffix(5);
                }
                while (Bucket(type).ContainsKey((ns ?? "", name)));
                metadata["name"] = name;
            }

            ValidateName(type, name);
            if (ns is not null && type != ResourceRegistry.Namespaces)
            {
                if (!Bucket(ResourceRegistry.Namespaces).TryGetValue(("", ns), out var owningNamespace))
                {
                    throw ApiException.NotFound(ResourceRegistry.Namespaces, ns);
                }

                if (ObjectMeta.IsDeleting(owningNamespace))
                {
                    // The NamespaceLifecycle admission plugin's answer.
                    throw new ApiException(HttpStatusCode.Forbidden, "Forbidden",
                        $"{type.QualifiedPlural} \"{name}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated", type.DetailsFor(name));
                }
            }

            if (Bucket(type).ContainsKey((ns ?? "", name)))
            {
                throw ApiException.AlreadyExists(type, name);
            }

            obj["kind"] = type.Kind;
            obj["apiVersion"] = type.ApiVersion;
            metadata["uid"] = Guid.NewGuid().ToString();
            metadata["creationTimestamp"] = ObjectMeta.Timestamp(Time.GetUtcNow());
            metadata.Remove("deletionTimestamp");
            if (HasGeneration(obj) || Registry.IsCustom(type))
            {
                metadata["generation"] = 1L;
            }
            else
            {
                metadata.Remove("generation");
            }

            if (type.HasStatusSubresource && type != ResourceRegistry.Namespaces)
            {
                obj.Remove("status");
            }

            if (type == ResourceRegistry.Namespaces)
            {
                obj["status"] = new JsonObject { ["phase"] = "Active" };
            }

            if (type == ResourceRegistry.CustomResourceDefinitions)
            {
                AcceptDefinition(obj);
            }

            foreach (var defaulter in _defaulters)
            {
                defaulter.OnCreate(type, obj);
            }

            Commit(type, null, obj, "ADDED");
            return (JsonObject)obj.DeepClone();
        }
    }

    /// <summary>PUT: replaces the object (or, for <paramref name="statusOnly"/>, only its status).</summary>
    public JsonObject Replace(ResourceType type, string? ns, string name, JsonObject body, bool statusOnly, bool dryRun = false)
    {
        lock (_gate)
        {
            using var scope = DryRunScope(dryRun);
            var existing = Find(type, ns, name);
            var bodyName = body["metadata"]?["name"]?.GetValue<string>();
            if (bodyName is not null && bodyName != name)
            {
                throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
            }

            var bodyNamespace = body["metadata"]?["namespace"]?.GetValue<string>();
            if (type.Namespaced && !string.IsNullOrEmpty(bodyNamespace) && bodyNamespace != ns)
            {
                throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            var expectedVersion = ObjectMeta.ResourceVersion(body);
            if (!string.IsNullOrEmpty(expectedVersion) && expectedVersion != ObjectMeta.ResourceVersion(existing))
            {
                throw ApiException.Conflict(type, name, ConflictMessage);
            }

            return Update(type, existing, (JsonObject)body.DeepClone(), statusOnly);
        }
    }

    /// <summary>PATCH: applies the patch to the current object atomically, then updates as PUT would.</summary>
    public JsonObject Patch(ResourceType type, string? ns, string name, PatchKind kind, JsonNode? patch, bool statusOnly, bool dryRun = false)
    {
        lock (_gate)
        {
            using var scope = DryRunScope(dryRun);
            var existing = Find(type, ns, name);
            var patched = kind switch
            {
                PatchKind.Merge => JsonMergePatch.Apply(existing, patch),
                PatchKind.StrategicMerge => StrategicMergePatch.Apply(existing, patch),
                PatchKind.Json => JsonPatch.Apply(existing, patch),
                _ => throw new ArgumentOutOfRangeException(nameof(kind)),
            };
            if (patched is not JsonObject updated)
            {
                throw ApiException.BadRequest("the patch must leave an object");
            }

            if (ObjectMeta.Name(updated) != name)
            {
                throw ApiException.BadRequest("a patch cannot change metadata.name");
            }

            var expectedVersion = ObjectMeta.ResourceVersion(updated);
            if (!string.IsNullOrEmpty(expectedVersion) && expectedVersion != ObjectMeta.ResourceVersion(existing))
            {
                throw ApiException.Conflict(type, name, ConflictMessage);
            }

            return Update(type, existing, updated, statusOnly);
        }
    }

    /// <summary>
    /// Server-side apply: creates the object from the configuration, or merges the configuration into it
    /// with field ownership and conflicts (<see cref="ServerSideApply"/>), then stores it as a create or
    /// an update would.
    /// </summary>
    public JsonObject Apply(ResourceType type, string? ns, string name, JsonObject applied, string manager, bool force, bool statusOnly, bool dryRun = false)
    {
        lock (_gate)
        {
            using var scope = DryRunScope(dryRun);
            var metadata = ObjectMeta.Of(applied);
            if (metadata["name"]?.GetValue<string>() is { Length: > 0 } bodyName && bodyName != name)
            {
                throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
            }

            metadata["name"] = name;
            var existing = Bucket(type).GetValueOrDefault((ns ?? "", name));
            var merged = ServerSideApply.Apply(type, existing, applied, manager, force, Time.GetUtcNow());
            if (existing is null)
            {
                return Create(type, ns, merged, dryRun);
            }

            var expectedVersion = ObjectMeta.ResourceVersion(applied);
            if (!string.IsNullOrEmpty(expectedVersion) && expectedVersion != ObjectMeta.ResourceVersion(existing))
            {
                throw ApiException.Conflict(type, name, ConflictMessage);
            }

            return Update(type, existing, merged, statusOnly);
        }
    }

    /// <summary>
    /// Read-modify-write for the simulated controllers: <paramref name="mutate"/> changes a copy, and the
    /// store writes it when it differs. Returns the stored object, or null when it no longer exists.
    /// </summary>
    public JsonObject? Mutate(ResourceType type, string? ns, string name, Action<JsonObject> mutate, bool statusOnly = false)
    {
        lock (_gate)
        {
            if (!Bucket(type).TryGetValue((ns ?? "", name), out var existing))
            {
                return null;
            }

            var copy = (JsonObject)existing.DeepClone();
            mutate(copy);
            return Update(type, existing, copy, statusOnly);
        }
    }

    /// <summary>
    /// DELETE. Returns the object as it stands afterwards: marked for deletion when finalizers keep it
    /// (<c>Kept</c>), else as it was removed.
    /// </summary>
    public (JsonObject Object, bool Kept) Delete(ResourceType type, string? ns, string name, string? precondUid = null, string? precondVersion = null, bool orphanDependents = false, bool dryRun = false)
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

    /// <summary>
    /// Starts a watch. Without <paramref name="sinceVersion"/> it begins with a synthetic ADDED per
    /// current object (the API server's "start at most recent"); with one it replays the retained history
    /// after that version, or fails with 410 Gone when that history has been compacted away.
    /// </summary>
    public WatchSubscription Watch(WatchFilter filter, long? sinceVersion)
    {
        lock (_gate)
        {
            var channel = Channel.CreateUnbounded<WatchEvent>(new UnboundedChannelOptions { SingleReader = true });
            if (sinceVersion is null or 0)
            {
                foreach (var obj in Bucket(filter.Type).Values.Where(o => filter.Matches(filter.Type, o)))
                {
                    channel.Writer.TryWrite(new WatchEvent("ADDED", obj, long.Parse(ObjectMeta.ResourceVersion(obj)!, CultureInfo.InvariantCulture)));
                }
            }
            else
            {
                if (sinceVersion < _compactedThrough)
                {
                    throw ApiException.Gone($"too old resource version: {sinceVersion} ({_compactedThrough + 1})");
                }

                foreach (var change in _history.Where(c => c.ResourceVersion > sinceVersion))
                {
                    if (Translate(filter, change) is { } e)
                    {
                        channel.Writer.TryWrite(e);
                    }
                }
            }

            var subscription = new WatchSubscription(this, filter, channel);
            _watchers.Add(subscription);
            return subscription;
        }
    }

    internal void Unsubscribe(WatchSubscription subscription)
    {
        lock (_gate)
        {
            _watchers.Remove(subscription);
        }
    }

    /// <summary>Ends every watch, as the API server does when it shuts down.</summary>
    public void CloseAllWatches()
    {
        lock (_gate)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Complete();
            }

            _watchers.Clear();
        }
    }

    private JsonObject Update(ResourceType type, JsonObject existing, JsonObject incoming, bool statusOnly)
    {
        // An update may omit the uid (the stored one is kept) but not change it: metadata validation rejects that.
        if (ObjectMeta.Uid(incoming) is { Length: > 0 } uid && uid != ObjectMeta.Uid(existing))
        {
            throw ApiException.Invalid(type, ObjectMeta.Name(existing), $"metadata.uid: Invalid value: \"{uid}\": field is immutable");
        }

        JsonObject updated;
        if (statusOnly)
        {
            updated = (JsonObject)existing.DeepClone();
            if (incoming["status"] is { } status)
            {
                updated["status"] = status.DeepClone();
            }
            else
            {
                updated.Remove("status");
            }
        }
        else
        {
            updated = incoming;
            if (type.HasStatusSubresource)
            {
                if (existing["status"] is { } status)
                {
                    updated["status"] = status.DeepClone();
                }
                else
                {
                    updated.Remove("status");
                }
            }

            // Server-owned metadata cannot be changed by a client.
            var metadata = ObjectMeta.Of(updated);
            var previous = ObjectMeta.Of(existing);
            foreach (var field in new[] { "uid", "creationTimestamp", "generation", "deletionTimestamp", "deletionGracePeriodSeconds", "namespace", "name" })
            {
                if (previous[field] is { } value)
                {
                    metadata[field] = value.DeepClone();
                }
                else
                {
                    metadata.Remove(field);
                }
            }

            // An update that does not send managedFields keeps them; one that sends them (even empty) sets them.
            if (!metadata.ContainsKey("managedFields") && previous["managedFields"] is { } managedFields)
            {
                metadata["managedFields"] = managedFields.DeepClone();
            }

            if (previous["generation"] is not null && SpecChanged(existing, updated, statusIsSeparate: type.HasStatusSubresource))
            {
                metadata["generation"] = ObjectMeta.Generation(existing) + 1;
            }
        }

        updated["kind"] = type.Kind;
        updated["apiVersion"] = type.ApiVersion;
        ObjectMeta.Of(updated)["resourceVersion"] = ObjectMeta.ResourceVersion(existing);

        if (type == ResourceRegistry.CustomResourceDefinitions && !statusOnly)
        {
            AcceptDefinition(updated);
        }

        if (ObjectMeta.IsDeleting(updated) && !ObjectMeta.HasFinalizers(updated) && type != ResourceRegistry.Namespaces)
        {
            return Remove(type, updated, orphanDependents: false);
        }

        if (JsonNode.DeepEquals(existing, updated))
        {
            // The API server does not write (or bump resourceVersion for) an update that changes nothing.
            return (JsonObject)existing.DeepClone();
        }

        Commit(type, existing, updated, "MODIFIED");
        if (type == ResourceRegistry.Namespaces && ObjectMeta.IsDeleting(updated) && !_dryRun)
        {
            // A Terminating namespace whose own finalizers were just removed may now go.
            TryFinalizeNamespace(ObjectMeta.Name(updated));
        }

        return (JsonObject)updated.DeepClone();
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

    /// <summary>Background cascading deletion (or orphaning) of objects whose owner was deleted.</summary>
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
                if (orphan)
                {
                    var copy = (JsonObject)dependent.DeepClone();
                    var refs = (JsonArray)ObjectMeta.Of(copy)["ownerReferences"]!;
                    foreach (var r in refs.Where(r => r?["uid"]?.GetValue<string>() == ownerUid).ToList())
                    {
                        refs.Remove(r);
                    }

                    Commit(type, dependent, copy, "MODIFIED");
                }
                else if (ObjectMeta.HasFinalizers(dependent))
                {
                    if (!ObjectMeta.IsDeleting(dependent))
                    {
                        var marked = (JsonObject)dependent.DeepClone();
                        ObjectMeta.Of(marked)["deletionTimestamp"] = ObjectMeta.Timestamp(Time.GetUtcNow());
                        Commit(type, dependent, marked, "MODIFIED");
                    }
                }
                else
                {
                    Remove(type, dependent, orphanDependents: false);
                }
            }
        }
    }

    private void Commit(ResourceType type, JsonObject? before, JsonObject after, string eventType)
    {
        if (_dryRun)
        {
            // What a dry run answers: a created object has no resourceVersion yet, a changed one keeps its own.
            if (before is null)
            {
                ObjectMeta.Of(after).Remove("resourceVersion");
            }
            else
            {
                ObjectMeta.Of(after)["resourceVersion"] = ObjectMeta.ResourceVersion(before);
            }

            return;
        }

        ObjectMeta.Of(after)["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
        Bucket(type)[(ObjectMeta.Namespace(after) ?? "", ObjectMeta.Name(after))] = after;
        Record(new StoredChange(_resourceVersion, eventType, type, before, after));
    }

    private void Record(StoredChange change)
    {
        _history.AddLast(change);
        while (_history.Count > _historyLimit)
        {
            _compactedThrough = _history.First!.Value.ResourceVersion;
            _history.RemoveFirst();
        }

        foreach (var watcher in _watchers)
        {
            if (Translate(watcher.Filter, change) is { } e)
            {
                watcher.Publish(e);
            }
        }
    }

    /// <summary>
    /// What a filtered watcher sees of a change: an object that starts matching the selector is ADDED to
    /// it, one that stops matching is DELETED from it, as the API server's watch cache does.
    /// </summary>
    private static WatchEvent? Translate(WatchFilter filter, StoredChange change)
    {
        var matchesAfter = filter.Matches(change.ResourceType, change.After);
        var matchesBefore = change.Before is not null && filter.Matches(change.ResourceType, change.Before);
        var type = change.Type switch
        {
            "ADDED" when matchesAfter => "ADDED",
            "DELETED" when matchesBefore || matchesAfter => "DELETED",
            "MODIFIED" when matchesBefore && matchesAfter => "MODIFIED",
            "MODIFIED" when matchesAfter => "ADDED",
            "MODIFIED" when matchesBefore => "DELETED",
            _ => null,
        };
        return type is null ? null : new WatchEvent(type, change.After, change.ResourceVersion);
    }

    private JsonObject Find(ResourceType type, string? ns, string name) =>
        Bucket(type).TryGetValue((ns ?? "", name), out var obj) ? obj : throw ApiException.NotFound(type, name);

    private SortedDictionary<(string Namespace, string Name), JsonObject> Bucket(ResourceType type)
    {
        if (!_objects.TryGetValue(type.StorageKey, out var bucket))
        {
            bucket = new SortedDictionary<(string Namespace, string Name), JsonObject>(Comparer<(string, string)>.Create(Compare));
            _objects[type.StorageKey] = bucket;
        }

        return bucket;
    }

    private static int Compare((string Namespace, string Name) a, (string Namespace, string Name) b)
    {
        var byNamespace = string.CompareOrdinal(a.Namespace, b.Namespace);
        return byNamespace != 0 ? byNamespace : string.CompareOrdinal(a.Name, b.Name);
    }

    private static string? ResolveNamespace(ResourceType type, string? ns, JsonObject metadata)
    {
        var bodyNamespace = metadata["namespace"]?.GetValue<string>();
        if (!type.Namespaced)
        {
            metadata.Remove("namespace");
            return null;
        }

        if (!string.IsNullOrEmpty(bodyNamespace) && ns is not null && bodyNamespace != ns)
        {
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        ns ??= bodyNamespace ?? throw ApiException.BadRequest($"a namespace is required to create {type.QualifiedPlural}");
        metadata["namespace"] = ns;
        return ns;
    }

    private void AcceptDefinition(JsonObject crd)
    {
        // A dry run validates the definition but must not start (or change) serving its resources.
        var problem = _dryRun ? ResourceRegistry.Check(crd) : Registry.Register(crd);
        if (problem is not null)
        {
            throw ApiException.Invalid(ResourceRegistry.CustomResourceDefinitions, ObjectMeta.Name(crd), problem);
        }

        var now = ObjectMeta.Timestamp(Time.GetUtcNow());
        crd["status"] = new JsonObject
        {
            ["acceptedNames"] = crd["spec"]!["names"]!.DeepClone(),
            ["storedVersions"] = new JsonArray(((JsonArray)crd["spec"]!["versions"]!).OfType<JsonObject>()
                .Where(v => v["storage"]?.GetValue<bool>() == true).Select(v => (JsonNode?)JsonValue.Create(v["name"]!.GetValue<string>())).ToArray()),
            ["conditions"] = new JsonArray(
                new JsonObject { ["type"] = "NamesAccepted", ["status"] = "True", ["reason"] = "NoConflicts", ["message"] = "no conflicts found", ["lastTransitionTime"] = now },
                new JsonObject { ["type"] = "Established", ["status"] = "True", ["reason"] = "InitialNamesAccepted", ["message"] = "the initial names have been accepted", ["lastTransitionTime"] = now }),
        };
    }

    /// <summary>
    /// Objects with a spec (and all custom resources) carry a generation, bumped when anything but metadata changes, and status too when it is
    /// a subresource of its own (a custom resource without one bumps generation on a status change, as the real one does).
    /// </summary>
    private static bool HasGeneration(JsonObject obj) => obj.ContainsKey("spec");

    private static bool SpecChanged(JsonObject before, JsonObject after, bool statusIsSeparate)
    {
        IEnumerable<KeyValuePair<string, JsonNode?>> Content(JsonObject o) =>
            o.Where(p => p.Key is not ("metadata" or "kind" or "apiVersion") && !(statusIsSeparate && p.Key == "status")).OrderBy(p => p.Key, StringComparer.Ordinal);

        var a = Content(before).ToList();
        var b = Content(after).ToList();
        return a.Count != b.Count || a.Zip(b).Any(pair => pair.First.Key != pair.Second.Key || !JsonNode.DeepEquals(pair.First.Value, pair.Second.Value));
    }

    private static void ValidateName(ResourceType type, string name)
    {
        var valid = type == ResourceRegistry.Namespaces ? DnsLabel().IsMatch(name) && name.Length <= 63 : DnsSubdomain().IsMatch(name) && name.Length <= 253;
        if (!valid)
        {
            var rule = type == ResourceRegistry.Namespaces
                ? "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
                : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
            throw ApiException.Invalid(type, name, $"metadata.name: Invalid value: \"{name}\": {rule}");
        }
    }

    private static string RandomSuffix(int length)
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Create(length, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[Random.Shared.Next(alphabet.Length)];
            }
        });
    }

    private static string EncodeContinue(string ns, string name, long version)
    {
        var json = JsonSerializer.Serialize(new Dictionary<string, object> { ["rv"] = version, ["ns"] = ns, ["name"] = name });
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
    }

    private static ((string, string)? After, long? Version) DecodeContinue(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return (null, null);
        }

        try
        {
            var node = JsonNode.Parse(Convert.FromBase64String(token))!;
            return ((node["ns"]!.GetValue<string>(), node["name"]!.GetValue<string>()), node["rv"]!.GetValue<long>());
        }
        catch (Exception e) when (e is FormatException or JsonException or NullReferenceException or InvalidOperationException)
        {
            throw ApiException.BadRequest($"invalid continue token: {e.Message}");
        }
    }

    private DryRunReset DryRunScope(bool dryRun)
    {
        _dryRun = dryRun;
        return new DryRunReset(this);
    }

    /// <summary>Ends a dry run when the request's <c>using</c> scope ends, however it ends.</summary>
    private readonly struct DryRunReset(ObjectStore store) : IDisposable
    {
        public void Dispose() => store._dryRun = false;
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
