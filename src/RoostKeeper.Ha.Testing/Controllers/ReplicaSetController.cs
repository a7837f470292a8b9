using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Store;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Controllers;

/// <summary>
/// kube-controller-manager's ReplicaSet controller: keeps as many pods as spec.replicas, deleting the least
/// useful ones first (pending, then not ready, then the youngest), and reports what it counted in status.
/// </summary>
internal sealed class ReplicaSetController : IAsyncDisposable
{
    /// <summary>Like the real controller's slow-start batches: bounds the pods created in one reconcile.</summary>
    private const int MaxBurst = 500;

    private readonly ObjectStore _store;
    private readonly TimeProvider _time;
    private readonly ControllerLoop _loop;
    private readonly EventRecorder _events;

    public ReplicaSetController(ObjectStore store, TimeProvider time, CancellationToken stopping)
    {
        _store = store;
        _time = time;
        _events = new EventRecorder(store, time, "replicaset-controller");
        _loop = new ControllerLoop(
            store,
            time,
            [
                new WatchSource(ResourceRegistry.ReplicaSets, e => [new ObjectKey(ObjectMeta.Namespace(e.Object) ?? "", ObjectMeta.Name(e.Object))]),
                new WatchSource(ResourceRegistry.Pods, e => ControllerReferences.ControllerKey(e.Object, ResourceRegistry.ReplicaSets)),
            ],
            Reconcile,
            stopping);
    }

    public ValueTask DisposeAsync() => _loop.DisposeAsync();

    /// <summary>Whether a pod counts as available: ready for at least minReadySeconds.</summary>
    public static bool IsAvailable(JsonObject pod, int minReadySeconds, DateTimeOffset now)
    {
        if (!StatusConditions.IsTrue(pod, "Ready"))
        {
            return false;
        }

        if (minReadySeconds <= 0)
        {
            return true;
        }

        var since = JsonFields.Time(StatusConditions.Find(pod, "Ready")?["lastTransitionTime"]);
        return since is not null && since.Value.AddSeconds(minReadySeconds) <= now;
    }

    private TimeSpan? Reconcile(ObjectKey key)
    {
        var rs = _store.TryGet(ResourceRegistry.ReplicaSets, key.Namespace, key.Name);
        if (rs is null || ObjectMeta.IsDeleting(rs))
        {
            return null;
        }

        if (!SelectsOwnTemplate(rs))
        {
            // The API server rejects this; were one stored anyway, every pod we made would be invisible
            // to our own selector and we would create pods without end.
            return null;
        }

        var desired = Math.Max(0, JsonFields.Int(rs["spec"]?["replicas"], 1));
        var pods = OwnedPods(rs);
        var diff = desired - pods.Count;
        if (diff > 0)
        {
            for (var i = 0; i < Math.Min(diff, MaxBurst); i++)
            {
                CreatePod(rs);
            }
        }
        else if (diff < 0)
        {
            foreach (var pod in pods.OrderBy(DeletionRank).ThenByDescending(p => JsonFields.Time(p["metadata"]?["creationTimestamp"])).Take(-diff))
            {
                DeletePod(pod, rs);
            }
        }

        return UpdateStatus(key, rs);
    }

    private static bool SelectsOwnTemplate(JsonObject rs) =>
        rs["spec"]?["selector"] is JsonObject { Count: > 0 } selector
        && LabelSelector.FromObject(selector).Matches(new JsonObject
        {
            ["metadata"] = new JsonObject { ["labels"] = rs["spec"]?["template"]?["metadata"]?["labels"]?.DeepClone() },
        });

    private List<JsonObject> OwnedPods(JsonObject rs)
    {
        if (rs["spec"]?["selector"] is not JsonObject selector || selector.Count == 0)
        {
            return [];
        }

        var filter = new WatchFilter(ResourceRegistry.Pods, ObjectMeta.Namespace(rs), LabelSelector.FromObject(selector), FieldSelector.Everything);
        return _store.List(filter).Items
            .Where(p => ControllerReferences.IsControlledBy(p, rs) && !ObjectMeta.IsDeleting(p)
                && JsonFields.String(p["status"]?["phase"]) is not ("Succeeded" or "Failed"))
            .ToList();
    }

    /// <summary>Lower goes first: not yet running, then running but not ready, then ready.</summary>
    private static int DeletionRank(JsonObject pod) =>
        JsonFields.String(pod["status"]?["phase"]) != "Running" ? 0 : StatusConditions.IsTrue(pod, "Ready") ? 2 : 1;

    private void CreatePod(JsonObject rs)
    {
        var template = rs["spec"]?["template"] as JsonObject ?? [];
        var ns = ObjectMeta.Namespace(rs);
        var metadata = template["metadata"]?.DeepClone() as JsonObject ?? [];
        metadata.Remove("name");
        metadata.Remove("namespace");
        metadata["generateName"] = ObjectMeta.Name(rs) + "-";
        metadata["ownerReferences"] = new JsonArray(ControllerReferences.To(ResourceRegistry.ReplicaSets, rs));
        var pod = new JsonObject
        {
            ["metadata"] = metadata,
            ["spec"] = template["spec"]?.DeepClone() ?? new JsonObject(),
        };
        var created = _store.Create(ResourceRegistry.Pods, ns, pod);

        // The ReplicaSet may have been deleted while we created: a pod whose owner is gone would never
        // be collected (the store collects dependents when the owner goes), so take it back.
        var owner = _store.TryGet(ResourceRegistry.ReplicaSets, ns, ObjectMeta.Name(rs));
        if (owner is null || ObjectMeta.Uid(owner) != ObjectMeta.Uid(rs))
        {
            DeletePod(created, null);
            return;
        }

        _events.Normal(ResourceRegistry.ReplicaSets, rs, "SuccessfulCreate", $"Created pod: {ObjectMeta.Name(created)}");
    }

    private void DeletePod(JsonObject pod, JsonObject? rs)
    {
        try
        {
            _store.Delete(ResourceRegistry.Pods, ObjectMeta.Namespace(pod), ObjectMeta.Name(pod), precondUid: ObjectMeta.Uid(pod));
            if (rs is not null)
            {
                _events.Normal(ResourceRegistry.ReplicaSets, rs, "SuccessfulDelete", $"Deleted pod: {ObjectMeta.Name(pod)}");
            }
        }
        catch (ApiException e) when (e.Code == System.Net.HttpStatusCode.NotFound)
        {
            // Already gone: that is what we wanted.
        }
    }

    private TimeSpan? UpdateStatus(ObjectKey key, JsonObject rs)
    {
        var now = _time.GetUtcNow();
        var minReadySeconds = JsonFields.Int(rs["spec"]?["minReadySeconds"], 0);
        var pods = OwnedPods(rs);
        var templateLabels = rs["spec"]?["template"]?["metadata"]?["labels"] as JsonObject;
        var ready = pods.Count(p => StatusConditions.IsTrue(p, "Ready"));
        var available = pods.Count(p => IsAvailable(p, minReadySeconds, now));
        var fullyLabeled = pods.Count(p => templateLabels is null
            || templateLabels.All(l => ObjectMeta.Label(p, l.Key) == JsonFields.String(l.Value)));
        _store.Mutate(ResourceRegistry.ReplicaSets, key.Namespace, key.Name, r =>
        {
            if (ObjectMeta.Uid(r) != ObjectMeta.Uid(rs))
            {
                return;
            }

            var status = JsonFields.Object(r, "status");
            status["replicas"] = pods.Count;
            status["fullyLabeledReplicas"] = fullyLabeled;
            status["readyReplicas"] = ready;
            status["availableReplicas"] = available;
            status["observedGeneration"] = ObjectMeta.Generation(rs);
        }, statusOnly: true);

        // A ready pod becomes available only after minReadySeconds: look again then.
        return available < ready ? TimeSpan.FromSeconds(1) : null;
    }
}
