using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Store;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Controllers;

/// <summary>
/// kube-controller-manager's Deployment controller (pkg/controller/deployment): one ReplicaSet per pod
/// template, revisions, RollingUpdate within maxSurge/maxUnavailable as rolling.go does it, Recreate,
/// pause, history clean-up, and the Available/Progressing conditions with the progress deadline.
/// <para>
/// One deliberate difference keeps surge and availability true in pods and not only in ReplicaSet specs:
/// a ReplicaSet counts as max(spec, observed pods) towards the surge and as min(available, spec) towards
/// availability, so the controller never scales up before a scaled-down ReplicaSet's pods are gone.
/// </para>
/// </summary>
internal sealed partial class DeploymentController : IAsyncDisposable
{
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";
    private const string DesiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas";
    private const string MaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";

    private readonly ObjectStore _store;
    private readonly TimeProvider _time;
    private readonly ControllerLoop _loop;
    private readonly EventRecorder _events;

    public DeploymentController(ObjectStore store, TimeProvider time, CancellationToken stopping)
    {
        _store = store;
        _time = time;
        _events = new EventRecorder(store, time, "deployment-controller");
        _loop = new ControllerLoop(
            store,
            time,
            [
                new WatchSource(ResourceRegistry.Deployments, e => [new ObjectKey(ObjectMeta.Namespace(e.Object) ?? "", ObjectMeta.Name(e.Object))]),
                new WatchSource(ResourceRegistry.ReplicaSets, e => ControllerReferences.ControllerKey(e.Object, ResourceRegistry.Deployments)),
            ],
            Reconcile,
            stopping);
    }

    public ValueTask DisposeAsync() => _loop.DisposeAsync();

    /// <summary>Resolves maxSurge (rounded up) and maxUnavailable (rounded down) as ResolveFenceposts does.</summary>
    public static (int MaxSurge, int MaxUnavailable) Fenceposts(JsonObject deployment)
    {
        var replicas = Replicas(deployment);
        var rollingUpdate = deployment["spec"]?["strategy"]?["rollingUpdate"];
        var surge = Scaled(rollingUpdate?["maxSurge"], replicas, roundUp: true, fallback: "25%");
        var unavailable = Scaled(rollingUpdate?["maxUnavailable"], replicas, roundUp: false, fallback: "25%");
        if (surge == 0 && unavailable == 0)
        {
            // Validation forbids both zero; a rollout that could never move must still make progress.
            unavailable = 1;
        }

        return (surge, unavailable);
    }

    private static int Scaled(JsonNode? value, int total, bool roundUp, string fallback)
    {
        if (JsonFields.Long(value) is { } absolute)
        {
            return (int)Math.Max(0, absolute);
        }

        var text = JsonFields.String(value) ?? fallback;
        if (text.EndsWith('%') && int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var percent))
        {
            var scaled = (decimal)percent * total / 100m;
            return Math.Max(0, (int)(roundUp ? Math.Ceiling(scaled) : Math.Floor(scaled)));
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? Math.Max(0, number) : 0;
    }

    private static int Replicas(JsonObject deployment) => Math.Max(0, JsonFields.Int(deployment["spec"]?["replicas"], 1));

    private static bool IsRollingUpdate(JsonObject deployment) => JsonFields.String(deployment["spec"]?["strategy"]?["type"]) != "Recreate";

    /// <summary>MaxUnavailable as the Available condition uses it: zero for Recreate, at most the replicas.</summary>
    private static int MaxUnavailable(JsonObject deployment)
    {
        var replicas = Replicas(deployment);
        return !IsRollingUpdate(deployment) || replicas == 0 ? 0 : Math.Min(Fenceposts(deployment).MaxUnavailable, replicas);
    }

    private TimeSpan? Reconcile(ObjectKey key)
    {
        var deployment = _store.TryGet(ResourceRegistry.Deployments, key.Namespace, key.Name);
        if (deployment is null || ObjectMeta.IsDeleting(deployment)
            || deployment["spec"]?["selector"] is not JsonObject { Count: > 0 })
        {
            return null;
        }

        var now = _time.GetUtcNow();
        var all = OwnedReplicaSets(deployment);
        var newRs = all.Where(rs => PodTemplateHash.EqualIgnoringHash(rs.Template, deployment["spec"]?["template"] as JsonObject))
            .OrderBy(rs => rs.Created).ThenBy(rs => rs.Name, StringComparer.Ordinal).FirstOrDefault();
        var olds = all.Where(rs => rs != newRs).ToList();

        // The status this reconcile will write; conditions set along the way land here.
        var working = new JsonObject { ["status"] = deployment["status"]?.DeepClone() ?? new JsonObject() };
        if (newRs is not null)
        {
            SyncRevision(deployment, newRs, olds, working, now);
        }

        if (JsonFields.Bool(deployment["spec"]?["paused"]))
        {
            ScaleForSync(deployment, newRs, olds);
            StatusConditions.Set(working, "Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", now, withUpdateTime: true);
            Cleanup(deployment, olds);
            return WriteStatus(deployment, working, all, newRs, now, trackProgress: false);
        }

        if (JsonFields.String(StatusConditions.Find(working, "Progressing")?["reason"]) == "DeploymentPaused")
        {
            StatusConditions.Set(working, "Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed", now, withUpdateTime: true);
        }

        if (IsScalingEvent(deployment, all))
        {
            // A replica change alone is not a rollout: resize what runs, and leave progress alone.
            ScaleForSync(deployment, newRs, olds);
            return WriteStatus(deployment, working, all, newRs, now, trackProgress: false);
        }

        var acted = IsRollingUpdate(deployment)
            ? RolloutRolling(deployment, ref newRs, olds, working, now)
            : RolloutRecreate(deployment, ref newRs, olds, working, now);
        all = newRs is null ? olds : [.. olds, newRs];
        if (!acted && IsComplete(deployment, Calculate(deployment, all, newRs)))
        {
            Cleanup(deployment, olds);
        }

        return WriteStatus(deployment, working, all, newRs, now, trackProgress: true);
    }

    private sealed record DeploymentCounts(int Replicas, int Updated, int Ready, int Available, int Unavailable, long ObservedGeneration);

    /// <summary>What the controller reads of a ReplicaSet, with its spec kept current as this reconcile scales it.</summary>
    private sealed class ReplicaSetView
    {
        public ReplicaSetView(JsonObject rs)
        {
            Name = ObjectMeta.Name(rs);
            Uid = ObjectMeta.Uid(rs);
            Template = rs["spec"]?["template"] as JsonObject;
            Spec = Math.Max(0, JsonFields.Int(rs["spec"]?["replicas"], 1));
            ObservedPods = JsonFields.Int(rs["status"]?["replicas"], 0);
            Ready = JsonFields.Int(rs["status"]?["readyReplicas"], 0);
            Available = JsonFields.Int(rs["status"]?["availableReplicas"], 0);
            Revision = long.TryParse(ObjectMeta.Annotation(rs, RevisionAnnotation), NumberStyles.Integer, CultureInfo.InvariantCulture, out var revision) ? revision : 0;
            Created = JsonFields.Time(rs["metadata"]?["creationTimestamp"]) ?? DateTimeOffset.MinValue;
            DesiredReplicas = AnnotationNumber(rs, DesiredReplicasAnnotation);
            MaxReplicas = AnnotationNumber(rs, MaxReplicasAnnotation);
        }

        public string Name { get; }

        public string? Uid { get; }

        public JsonObject? Template { get; }

        public int Spec { get; private set; }

        public int ObservedPods { get; }

        public int Ready { get; }

        public int Available { get; }

        public long Revision { get; set; }

        public DateTimeOffset Created { get; }

        /// <summary>The Deployment's replicas when this ReplicaSet was last sized.</summary>
        public int? DesiredReplicas { get; private set; }

        /// <summary>The Deployment's replicas + maxSurge when this ReplicaSet was last sized.</summary>
        public int? MaxReplicas { get; private set; }

        public void Sized(int spec, int desired, int max)
        {
            Spec = spec;
            DesiredReplicas = desired;
            MaxReplicas = max;
        }

        private static int? AnnotationNumber(JsonObject rs, string key) =>
            int.TryParse(ObjectMeta.Annotation(rs, key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

        /// <summary>Pods this ReplicaSet may have: a scale-down is not done until its pods are gone.</summary>
        public int CountedPods => Math.Max(Spec, ObservedPods);

        /// <summary>Available pods it will keep: after a scale-down only spec of them survive.</summary>
        public int CountedAvailable => Math.Min(Available, Spec);
    }
}
