using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using RoostKeeper.Ha.Testing.Admission;
using RoostKeeper.Ha.Testing.Diagnostics;
using RoostKeeper.Ha.Testing.Patching;
using RoostKeeper.Ha.Testing.Resources;

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

    /// <summary>Defaulting and validation per kind, run on every create and update before anything is stored.</summary>
    public AdmissionChain Admission { get; } = AdmissionChain.BuiltIn();

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
    /// POST: creates the object; with <paramref name="dryRun"/> only validates and defaults it. A request's
    /// <paramref name="manager"/> is recorded in managedFields (the simulated controllers write without one).
    /// </summary>
    public JsonObject Create(ResourceType type, string? ns, JsonObject body, bool dryRun = false, string? manager = null)
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
                    name = generateName + ObjectNames.RandomSuffix(5);
                }
                while (Bucket(type).ContainsKey((ns ?? "", name)));
                metadata["name"] = name;
            }

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

            Admission.AdmitCreate(type, obj, Context(null, obj));
            if (manager is not null)
            {
                UpdateManagers.Record(type, null, obj, manager, subresource: null, Time.GetUtcNow());
            }

            if (Bucket(type).ContainsKey((ns ?? "", name)))
            {
                throw ApiException.AlreadyExists(type, name);
            }

            Commit(type, null, obj, "ADDED");
            var created = (JsonObject)obj.DeepClone();
            CollectIfOrphaned(type, obj);
            if (type == ResourceRegistry.Namespaces)
            {
                PopulateNamespace(name);
            }

            return created;
        }
    }

    /// <summary>PUT: replaces the object (or, for <paramref name="statusOnly"/>, only its status).</summary>
    public JsonObject Replace(ResourceType type, string? ns, string name, JsonObject body, bool statusOnly, bool dryRun = false, string? manager = null)
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

            return Update(type, existing, (JsonObject)body.DeepClone(), statusOnly, manager, statusOnly ? "status" : null);
        }
    }

    /// <summary>PATCH: applies the patch to the current object atomically, then updates as PUT would.</summary>
    public JsonObject Patch(ResourceType type, string? ns, string name, PatchKind kind, JsonNode? patch, bool statusOnly, bool dryRun = false,
        string? manager = null, string? subresource = null)
    {
        lock (_gate)
        {
            using var scope = DryRunScope(dryRun);
            var existing = Find(type, ns, name);
            var patched = ApplyPatch(existing, kind, patch);
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

            return Update(type, existing, updated, statusOnly, manager, subresource ?? (statusOnly ? "status" : null));
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

    private JsonObject Update(ResourceType type, JsonObject existing, JsonObject incoming, bool statusOnly, string? manager = null, string? subresource = null)
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

            Admission.AdmitUpdate(type, updated, existing, Context(existing, updated, subresource));
            if (previous["generation"] is not null && SpecChanged(existing, updated, statusIsSeparate: type.HasStatusSubresource))
            {
                metadata["generation"] = ObjectMeta.Generation(existing) + 1;
            }
        }

        updated["kind"] = type.Kind;
        updated["apiVersion"] = type.ApiVersion;
        ObjectMeta.Of(updated)["resourceVersion"] = ObjectMeta.ResourceVersion(existing);
        if (manager is not null)
        {
            UpdateManagers.Record(type, existing, updated, manager, subresource, Time.GetUtcNow());
        }

        if (type == ResourceRegistry.CustomResourceDefinitions && !statusOnly)
        {
            AcceptDefinition(updated);
        }

        if (ObjectMeta.IsDeleting(updated) && !ObjectMeta.HasFinalizers(updated) && type != ResourceRegistry.Namespaces)
        {
            return Remove(type, updated, orphanDependents: false);
        }

        if (JsonNode.DeepEquals(existing, updated) || (updated["metadata"]?["managedFields"] is JsonArray && ServerSideApply.SameButManagedFieldTimes(existing, updated)))
        {
            // The API server does not write (or bump resourceVersion for) an update that changes nothing; new
            // managedFields timestamps alone are not a change (an identical re-apply writes nothing).
            return (JsonObject)existing.DeepClone();
        }

        Commit(type, existing, updated, "MODIFIED");
        CollectIfNewlyOrphaned(type, existing, updated);
        if (type == ResourceRegistry.Namespaces && ObjectMeta.IsDeleting(updated) && !_dryRun)
        {
            // A Terminating namespace whose own finalizers were just removed may now go.
            TryFinalizeNamespace(ObjectMeta.Name(updated));
        }

        return (JsonObject)updated.DeepClone();
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

    private AdmissionContext Context(JsonObject? old, JsonObject obj, string? subresource = null) => new(t => Bucket(t).Values, old, Time, ObjectMeta.Name(obj), subresource);

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
}
