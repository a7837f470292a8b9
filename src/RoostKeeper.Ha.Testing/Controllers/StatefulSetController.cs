using System.Globalization;
using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Store;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Controllers;

/// <summary>
/// kube-controller-manager's StatefulSet controller: pods named <c>NAME-0 … NAME-(n-1)</c>, created in order and
/// each only once its predecessors run and are ready (OrderedReady) or all at once (Parallel), removed from the
/// highest ordinal down; a ControllerRevision per template, and a RollingUpdate that replaces pods from the highest
/// ordinal down to the partition, one at a time, each when every pod is ready. Status carries the counts and the
/// current and update revisions that <c>kubectl rollout status statefulset</c> reads.
/// </summary>
internal sealed class StatefulSetController : IAsyncDisposable
{
    public const string RevisionLabel = "controller-revision-hash";
    public const string PodNameLabel = "statefulset.kubernetes.io/pod-name";
    public const string PodIndexLabel = "apps.kubernetes.io/pod-index";

    private readonly ObjectStore _store;
    private readonly TimeProvider _time;
    private readonly ControllerLoop _loop;
    private readonly EventRecorder _events;

    public StatefulSetController(ObjectStore store, TimeProvider time, CancellationToken stopping)
    {
        _store = store;
        _time = time;
        _events = new EventRecorder(store, time, "statefulset-controller");
        _loop = new ControllerLoop(
            store,
            time,
            [
                new WatchSource(ResourceRegistry.StatefulSets, e => [new ObjectKey(ObjectMeta.Namespace(e.Object) ?? "", ObjectMeta.Name(e.Object))]),
                new WatchSource(ResourceRegistry.Pods, e => ControllerReferences.ControllerKey(e.Object, ResourceRegistry.StatefulSets)),
            ],
            Reconcile,
            stopping);
    }

    public ValueTask DisposeAsync() => _loop.DisposeAsync();

    private TimeSpan? Reconcile(ObjectKey key)
    {
        var set = _store.TryGet(ResourceRegistry.StatefulSets, key.Namespace, key.Name);
        if (set is null || ObjectMeta.IsDeleting(set))
        {
            return null;
        }

        var spec = set["spec"] as JsonObject ?? [];
        var replicas = Math.Max(0, JsonFields.Int(spec["replicas"], 1));
        var parallel = JsonFields.String(spec["podManagementPolicy"]) == "Parallel";
        var updateRevision = EnsureRevision(set);
        var currentRevision = JsonFields.String(set["status"]?["currentRevision"]) is { Length: > 0 } current ? current : updateRevision;
        var pods = OwnedPods(set);

        // Failed pods are replaced, as the real controller deletes and recreates them.
        foreach (var failed in pods.Values.Where(p => JsonFields.String(p["status"]?["phase"]) is "Failed" or "Succeeded").ToList())
        {
            Delete(set, failed);
            pods.Remove(Ordinal(failed));
        }

        var changed = false;
        for (var ordinal = 0; ordinal < replicas; ordinal++)
        {
            if (pods.ContainsKey(ordinal))
            {
                if (!parallel && !IsRunningAndReady(pods[ordinal]))
                {
                    break; // OrderedReady: nothing further until this one is ready
                }

                continue;
            }

            var partition = JsonFields.Int(spec["updateStrategy"]?["rollingUpdate"]?["partition"], 0);
            pods[ordinal] = Create(set, ordinal, ordinal < partition ? currentRevision : updateRevision);
            changed = true;
            if (!parallel)
            {
                break;
            }
        }

        // Scale down from the highest ordinal; OrderedReady one at a time, and only when the rest are ready.
        foreach (var extra in pods.Keys.Where(o => o >= replicas).OrderDescending().ToList())
        {
            if (!parallel && (changed || pods.Where(p => p.Key < extra).Any(p => !IsRunningAndReady(p.Value))))
            {
                break;
            }

            Delete(set, pods[extra]);
            pods.Remove(extra);
            changed = true;
            if (!parallel)
            {
                break;
            }
        }

        if (!changed && JsonFields.String(spec["updateStrategy"]?["type"]) != "OnDelete"
            && pods.Count == replicas && pods.Values.All(IsRunningAndReady))
        {
            // RollingUpdate: the highest ordinal at or above the partition that runs an older revision goes first.
            var partition = JsonFields.Int(spec["updateStrategy"]?["rollingUpdate"]?["partition"], 0);
            var stale = pods.Where(p => p.Key >= partition && ObjectMeta.Label(p.Value, RevisionLabel) != updateRevision).OrderByDescending(p => p.Key).FirstOrDefault();
            if (stale.Value is not null)
            {
                Delete(set, stale.Value);
                pods.Remove(stale.Key);
            }
        }

        UpdateStatus(set, pods.Values.ToList(), currentRevision, updateRevision, replicas);
        return null;
    }

    private static bool IsRunningAndReady(JsonObject pod) =>
        JsonFields.String(pod["status"]?["phase"]) == "Running" && StatusConditions.IsTrue(pod, "Ready") && !ObjectMeta.IsDeleting(pod);

    private static int Ordinal(JsonObject pod) =>
        int.TryParse(ObjectMeta.Label(pod, PodIndexLabel), NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal) ? ordinal : -1;

    private Dictionary<int, JsonObject> OwnedPods(JsonObject set)
    {
        var pods = new Dictionary<int, JsonObject>();
        foreach (var pod in _store.List(WatchFilter.All(ResourceRegistry.Pods, ObjectMeta.Namespace(set))).Items)
        {
            if (ControllerReferences.IsControlledBy(pod, set) && !ObjectMeta.IsDeleting(pod) && Ordinal(pod) is >= 0 and var ordinal)
            {
                pods[ordinal] = pod;
            }
        }

        return pods;
    }

    /// <summary>The ControllerRevision of the current template (created when new); its name is the update revision.</summary>
    private string EnsureRevision(JsonObject set)
    {
        var ns = ObjectMeta.Namespace(set);
        var template = set["spec"]?["template"] as JsonObject;
        var name = $"{ObjectMeta.Name(set)}-{PodTemplateHash.Compute(template, 0)}";
        if (_store.TryGet(ResourceRegistry.ControllerRevisions, ns, name) is not null)
        {
            return name;
        }

        var revisions = _store.List(WatchFilter.All(ResourceRegistry.ControllerRevisions, ns)).Items.Where(r => ControllerReferences.IsControlledBy(r, set)).ToList();
        var next = revisions.Count == 0 ? 1 : revisions.Max(r => JsonFields.Long(r["revision"]) ?? 0) + 1;
        var labels = (set["spec"]?["selector"]?["matchLabels"] as JsonObject)?.DeepClone() as JsonObject ?? [];
        labels[RevisionLabel] = name;
        _store.Create(ResourceRegistry.ControllerRevisions, ns, new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "ControllerRevision",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["labels"] = labels,
                ["ownerReferences"] = new JsonArray(ControllerReferences.To(ResourceRegistry.StatefulSets, set)),
            },
            ["data"] = new JsonObject { ["spec"] = new JsonObject { ["template"] = template?.DeepClone() } },
            ["revision"] = next,
        });
        return name;
    }

    private JsonObject Create(JsonObject set, int ordinal, string revision)
    {
        var ns = ObjectMeta.Namespace(set);
        var template = _store.TryGet(ResourceRegistry.ControllerRevisions, ns, revision)?["data"]?["spec"]?["template"] as JsonObject
            ?? set["spec"]?["template"] as JsonObject ?? [];
        var name = $"{ObjectMeta.Name(set)}-{ordinal.ToString(CultureInfo.InvariantCulture)}";
        var metadata = template["metadata"]?.DeepClone() as JsonObject ?? [];
        var labels = JsonFields.Object(metadata, "labels");
        labels[RevisionLabel] = revision;
        labels[PodNameLabel] = name;
        labels[PodIndexLabel] = ordinal.ToString(CultureInfo.InvariantCulture);
        metadata["name"] = name;
        metadata.Remove("namespace");
        metadata["ownerReferences"] = new JsonArray(ControllerReferences.To(ResourceRegistry.StatefulSets, set));
        var podSpec = template["spec"]?.DeepClone() as JsonObject ?? [];
        podSpec["hostname"] = name;
        if (JsonFields.String(set["spec"]?["serviceName"]) is { Length: > 0 } service)
        {
            podSpec["subdomain"] = service;
        }

        var created = _store.Create(ResourceRegistry.Pods, ns, new JsonObject { ["metadata"] = metadata, ["spec"] = podSpec });
        _events.Normal(ResourceRegistry.StatefulSets, set, "SuccessfulCreate", $"create Pod {name} in StatefulSet {ObjectMeta.Name(set)} successful");
        return created;
    }

    private void Delete(JsonObject set, JsonObject pod)
    {
        try
        {
            _store.Delete(ResourceRegistry.Pods, ObjectMeta.Namespace(pod), ObjectMeta.Name(pod), precondUid: ObjectMeta.Uid(pod));
            _events.Normal(ResourceRegistry.StatefulSets, set, "SuccessfulDelete", $"delete Pod {ObjectMeta.Name(pod)} in StatefulSet {ObjectMeta.Name(set)} successful");
        }
        catch (ApiException e) when (e.Code == System.Net.HttpStatusCode.NotFound)
        {
            // Already gone.
        }
    }

    private void UpdateStatus(JsonObject set, List<JsonObject> pods, string currentRevision, string updateRevision, int replicas)
    {
        var now = _time.GetUtcNow();
        var minReadySeconds = JsonFields.Int(set["spec"]?["minReadySeconds"], 0);
        var ready = pods.Count(p => StatusConditions.IsTrue(p, "Ready"));
        var updated = pods.Count(p => ObjectMeta.Label(p, RevisionLabel) == updateRevision);
        if (updated == replicas && pods.Count == replicas && ready == replicas)
        {
            currentRevision = updateRevision; // the rollout is complete: the update revision becomes current
        }

        var currentCount = pods.Count(p => ObjectMeta.Label(p, RevisionLabel) == currentRevision);
        _store.Mutate(ResourceRegistry.StatefulSets, ObjectMeta.Namespace(set), ObjectMeta.Name(set), s =>
        {
            if (ObjectMeta.Uid(s) != ObjectMeta.Uid(set))
            {
                return;
            }

            var status = JsonFields.Object(s, "status");
            status["observedGeneration"] = ObjectMeta.Generation(set);
            status["replicas"] = pods.Count;
            status["readyReplicas"] = ready;
            status["availableReplicas"] = pods.Count(p => ReplicaSetController.IsAvailable(p, minReadySeconds, now));
            status["currentReplicas"] = currentCount;
            status["updatedReplicas"] = updated;
            status["currentRevision"] = currentRevision;
            status["updateRevision"] = updateRevision;
            status["collisionCount"] = 0;
        }, statusOnly: true);
    }
}
