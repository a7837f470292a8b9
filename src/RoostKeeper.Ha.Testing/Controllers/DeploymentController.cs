using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Api;
using RoostKeeper.Ha.Testing.Store;

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
internal sealed class DeploymentController : IAsyncDisposable
{
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";
    private const string DesiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas";
    private const string MaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";

    private readonly ObjectStore _store;
    private readonly TimeProvider _time;
    private readonly ControllerLoop _loop;

    public DeploymentController(ObjectStore store, TimeProvider time, CancellationToken stopping)
    {
        _store = store;
        _time = time;
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

    /// <summary>Whether maxSurge and maxUnavailable are both zero, which the API server rejects.</summary>
    public static bool BothFencepostsZero(JsonObject deployment)
    {
        var rollingUpdate = deployment["spec"]?["strategy"]?["rollingUpdate"];
        return IsZero(rollingUpdate?["maxSurge"]) && IsZero(rollingUpdate?["maxUnavailable"]);

        static bool IsZero(JsonNode? value) => JsonFields.Long(value) == 0 || JsonFields.String(value) is "0" or "0%";
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

    private bool RolloutRolling(JsonObject deployment, ref ReplicaSetView? newRs, List<ReplicaSetView> olds, JsonObject working, DateTimeOffset now)
    {
        var replicas = Replicas(deployment);
        var (maxSurge, maxUnavailable) = Fenceposts(deployment);
        if (newRs is null)
        {
            newRs = CreateNewReplicaSet(deployment, olds, NewReplicaCount(replicas, maxSurge, olds, 0), working, now);
            if (newRs is null)
            {
                return true;
            }
        }

        // reconcileNewReplicaSet
        if (newRs.Spec > replicas)
        {
            Scale(deployment, newRs, replicas);
            return true;
        }

        if (newRs.Spec < replicas)
        {
            var target = NewReplicaCount(replicas, maxSurge, [.. olds, newRs], newRs.Spec);
            if (target != newRs.Spec)
            {
                Scale(deployment, newRs, target);
                return true;
            }
        }

        // reconcileOldReplicaSets
        var oldPods = olds.Sum(rs => rs.Spec);
        if (oldPods == 0)
        {
            return false;
        }

        var allPods = oldPods + newRs.Spec;
        var minAvailable = replicas - Math.Min(maxUnavailable, replicas);
        var newUnavailable = newRs.Spec - newRs.CountedAvailable;
        var maxScaledDown = allPods - minAvailable - newUnavailable;
        if (maxScaledDown <= 0)
        {
            return false;
        }

        var ordered = olds.OrderBy(rs => rs.Created).ThenBy(rs => rs.Name, StringComparer.Ordinal).ToList();

        // cleanupUnhealthyReplicas: unavailable old pods help no one, so they go first and cost nothing.
        var cleaned = 0;
        foreach (var rs in ordered)
        {
            if (cleaned >= maxScaledDown)
            {
                break;
            }

            if (rs.Spec == 0 || rs.Spec == rs.CountedAvailable)
            {
                continue;
            }

            var count = Math.Min(maxScaledDown - cleaned, rs.Spec - rs.CountedAvailable);
            Scale(deployment, rs, rs.Spec - count);
            cleaned += count;
        }

        // scaleDownOldReplicaSetsForRollingUpdate
        var available = ordered.Sum(rs => rs.CountedAvailable) + newRs.CountedAvailable;
        var scaledDown = 0;
        if (available > minAvailable)
        {
            var budget = available - minAvailable;
            foreach (var rs in ordered)
            {
                if (scaledDown >= budget)
                {
                    break;
                }

                if (rs.Spec == 0)
                {
                    continue;
                }

                var count = Math.Min(rs.Spec, budget - scaledDown);
                Scale(deployment, rs, rs.Spec - count);
                scaledDown += count;
            }
        }

        return cleaned + scaledDown > 0;
    }

    private bool RolloutRecreate(JsonObject deployment, ref ReplicaSetView? newRs, List<ReplicaSetView> olds, JsonObject working, DateTimeOffset now)
    {
        var acted = false;
        foreach (var rs in olds.Where(rs => rs.Spec > 0))
        {
            Scale(deployment, rs, 0);
            acted = true;
        }

        if (acted || olds.Any(rs => rs.ObservedPods > 0))
        {
            // Recreate means no old pod may run next to a new one: wait until they are all gone.
            return true;
        }

        var replicas = Replicas(deployment);
        if (newRs is null)
        {
            newRs = CreateNewReplicaSet(deployment, olds, replicas, working, now);
            return true;
        }

        if (newRs.Spec != replicas)
        {
            Scale(deployment, newRs, replicas);
            return true;
        }

        return false;
    }

    /// <summary>isScalingEvent: an active ReplicaSet was last sized for a different replica count.</summary>
    private static bool IsScalingEvent(JsonObject deployment, List<ReplicaSetView> all) =>
        all.Any(rs => rs.Spec > 0 && rs.DesiredReplicas is { } desired && desired != Replicas(deployment));

    /// <summary>
    /// The real controller's scale(): one active ReplicaSet takes the new size; otherwise, for RollingUpdate,
    /// every active one grows or shrinks in proportion to its share (from the max-replicas annotation), the
    /// rounding leftover going to the largest, so a rollout in progress keeps its old/new ratio.
    /// </summary>
    private void ScaleForSync(JsonObject deployment, ReplicaSetView? newRs, List<ReplicaSetView> olds)
    {
        var replicas = Replicas(deployment);
        List<ReplicaSetView> all = newRs is null ? olds : [.. olds, newRs];
        var active = all.Where(rs => rs.Spec > 0).ToList();
        var activeOrLatest = active.Count switch
        {
            1 => active[0],
            0 => newRs ?? olds.OrderByDescending(rs => rs.Created).ThenByDescending(rs => rs.Name, StringComparer.Ordinal).FirstOrDefault(),
            _ => null,
        };
        if (activeOrLatest is not null)
        {
            if (activeOrLatest.Spec != replicas)
            {
                Scale(deployment, activeOrLatest, replicas);
            }

            return;
        }

        if (newRs is not null && newRs.Spec == replicas && newRs.DesiredReplicas == replicas && newRs.Available == replicas)
        {
            foreach (var old in olds.Where(rs => rs.Spec > 0))
            {
                Scale(deployment, old, 0);
            }

            return;
        }

        if (!IsRollingUpdate(deployment))
        {
            return;
        }

        var maxSurge = Fenceposts(deployment).MaxSurge;
        var allowed = replicas > 0 ? replicas + maxSurge : 0;
        var toAdd = allowed - active.Sum(rs => rs.Spec);
        var ordered = toAdd > 0
            ? active.OrderByDescending(rs => rs.Spec).ThenByDescending(rs => rs.Created).ToList()
            : active.OrderByDescending(rs => rs.Spec).ThenBy(rs => rs.Created).ToList();
        var added = 0;
        var sizes = new Dictionary<ReplicaSetView, int>();
        foreach (var rs in ordered)
        {
            var proportion = Proportion(rs, toAdd, added);
            sizes[rs] = rs.Spec + proportion;
            added += proportion;
        }

        for (var i = 0; i < ordered.Count; i++)
        {
            var rs = ordered[i];
            var size = i == 0 ? Math.Max(0, sizes[rs] + toAdd - added) : sizes[rs];
            if (size != rs.Spec)
            {
                Scale(deployment, rs, size);
            }
        }

        int Proportion(ReplicaSetView rs, int toAdd, int added)
        {
            if (rs.Spec == 0 || toAdd == 0 || toAdd == added)
            {
                return 0;
            }

            int fraction;
            if (replicas == 0)
            {
                fraction = -rs.Spec;
            }
            else
            {
                var before = rs.MaxReplicas is > 0 ? rs.MaxReplicas.Value : JsonFields.Int(deployment["status"]?["replicas"], 0);
                fraction = before == 0 ? 0 : (int)Math.Round((double)rs.Spec * (replicas + maxSurge) / before, MidpointRounding.AwayFromZero) - rs.Spec;
            }

            var allowedChange = toAdd - added;
            return toAdd > 0 ? Math.Min(fraction, allowedChange) : Math.Max(fraction, allowedChange);
        }
    }

    /// <summary>NewRSNewReplicas for RollingUpdate: scale up as far as maxSurge allows, never past replicas.</summary>
    private static int NewReplicaCount(int replicas, int maxSurge, IEnumerable<ReplicaSetView> all, int newSpec)
    {
        var current = all.Sum(rs => rs.CountedPods);
        var maxTotal = replicas + maxSurge;
        if (current >= maxTotal)
        {
            return newSpec;
        }

        return newSpec + Math.Max(0, Math.Min(maxTotal - current, replicas - newSpec));
    }

    private ReplicaSetView? CreateNewReplicaSet(JsonObject deployment, List<ReplicaSetView> olds, int replicas, JsonObject working, DateTimeOffset now)
    {
        var ns = ObjectMeta.Namespace(deployment);
        var collisionCount = JsonFields.Long(working["status"]?["collisionCount"]) ?? 0;
        var template = (JsonObject)(deployment["spec"]?["template"]?.DeepClone() ?? new JsonObject());
        var hash = PodTemplateHash.Compute(template, collisionCount);
        var labels = JsonFields.Object(JsonFields.Object(template, "metadata"), "labels");
        labels[PodTemplateHash.Label] = hash;
        var selector = (JsonObject)deployment["spec"]!["selector"]!.DeepClone();
        JsonFields.Object(selector, "matchLabels")[PodTemplateHash.Label] = hash;
        var name = $"{ObjectMeta.Name(deployment)}-{hash}";
        var revision = (olds.Count == 0 ? 0 : olds.Max(rs => rs.Revision)) + 1;
        var (maxSurge, _) = IsRollingUpdate(deployment) ? Fenceposts(deployment) : (0, 0);
        var body = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = ns,
                ["labels"] = labels.DeepClone(),
                ["annotations"] = new JsonObject
                {
                    [RevisionAnnotation] = revision.ToString(CultureInfo.InvariantCulture),
                    [DesiredReplicasAnnotation] = Replicas(deployment).ToString(CultureInfo.InvariantCulture),
                    [MaxReplicasAnnotation] = (Replicas(deployment) + maxSurge).ToString(CultureInfo.InvariantCulture),
                },
                ["ownerReferences"] = new JsonArray(ControllerReferences.To(ResourceRegistry.Deployments, deployment)),
            },
            ["spec"] = new JsonObject
            {
                ["replicas"] = replicas,
                ["minReadySeconds"] = JsonFields.Int(deployment["spec"]?["minReadySeconds"], 0),
                ["selector"] = selector,
                ["template"] = template,
            },
        };

        // SetNewReplicaSetAnnotations: the Deployment's own annotations (change-cause included, which is what
        // `kubectl rollout history` reads per revision) travel to its new ReplicaSet.
        var rsAnnotations = (JsonObject)body["metadata"]!["annotations"]!;
        foreach (var (key, value) in deployment["metadata"]?["annotations"] as JsonObject ?? [])
        {
            if (!rsAnnotations.ContainsKey(key) && key is not ("kubectl.kubernetes.io/last-applied-configuration" or "deployment.kubernetes.io/revision-history" or "deprecated.deployment.rollback.to"))
            {
                rsAnnotations[key] = value?.DeepClone();
            }
        }

        JsonObject created;
        try
        {
            created = _store.Create(ResourceRegistry.ReplicaSets, ns, body);
        }
        catch (ApiException e) when (e.Code == HttpStatusCode.Conflict && e.Reason == "AlreadyExists")
        {
            var existing = _store.TryGet(ResourceRegistry.ReplicaSets, ns, name);
            if (existing is not null && ControllerReferences.IsControlledBy(existing, deployment)
                && PodTemplateHash.EqualIgnoringHash(existing["spec"]?["template"] as JsonObject, deployment["spec"]?["template"] as JsonObject))
            {
                return new ReplicaSetView(existing);
            }

            // A hash collision with someone else's ReplicaSet: the next hash includes a bumped count.
            working["status"]!["collisionCount"] = collisionCount + 1;
            return null;
        }

        var owner = _store.TryGet(ResourceRegistry.Deployments, ns, ObjectMeta.Name(deployment));
        if (owner is null || ObjectMeta.Uid(owner) != ObjectMeta.Uid(deployment))
        {
            // Deleted while we created: nothing would ever collect this ReplicaSet.
            _store.Delete(ResourceRegistry.ReplicaSets, ns, name, precondUid: ObjectMeta.Uid(created));
            return null;
        }

        SetDeploymentRevision(deployment, revision);
        StatusConditions.Set(working, "Progressing", "True", "NewReplicaSetCreated", $"Created new replica set \"{name}\"", now, withUpdateTime: true, refresh: true);
        return new ReplicaSetView(created);
    }

    /// <summary>The new ReplicaSet's revision is one past every old one's, which is how rollback moves it to the front.</summary>
    private void SyncRevision(JsonObject deployment, ReplicaSetView newRs, List<ReplicaSetView> olds, JsonObject working, DateTimeOffset now)
    {
        var revision = (olds.Count == 0 ? 0 : olds.Max(rs => rs.Revision)) + 1;
        if (newRs.Revision < revision)
        {
            _store.Mutate(ResourceRegistry.ReplicaSets, ObjectMeta.Namespace(deployment), newRs.Name, rs =>
                ObjectMeta.SetAnnotation(rs, RevisionAnnotation, revision.ToString(CultureInfo.InvariantCulture)));
            newRs.Revision = revision;
        }

        SetDeploymentRevision(deployment, newRs.Revision);
        if (StatusConditions.Find(working, "Progressing") is null && HasProgressDeadline(deployment))
        {
            StatusConditions.Set(working, "Progressing", "True", "FoundNewReplicaSet", $"Found new replica set \"{newRs.Name}\"", now, withUpdateTime: true);
        }
    }

    private void SetDeploymentRevision(JsonObject deployment, long revision)
    {
        var text = revision.ToString(CultureInfo.InvariantCulture);
        if (ObjectMeta.Annotation(deployment, RevisionAnnotation) == text)
        {
            return;
        }

        _store.Mutate(ResourceRegistry.Deployments, ObjectMeta.Namespace(deployment), ObjectMeta.Name(deployment), d =>
        {
            if (ObjectMeta.Uid(d) == ObjectMeta.Uid(deployment))
            {
                ObjectMeta.SetAnnotation(d, RevisionAnnotation, text);
            }
        });
    }

    private void Scale(JsonObject deployment, ReplicaSetView rs, int replicas)
    {
        var (maxSurge, _) = IsRollingUpdate(deployment) ? Fenceposts(deployment) : (0, 0);
        var updated = _store.Mutate(ResourceRegistry.ReplicaSets, ObjectMeta.Namespace(deployment), rs.Name, r =>
        {
            JsonFields.Object(r, "spec")["replicas"] = replicas;
            ObjectMeta.SetAnnotation(r, DesiredReplicasAnnotation, Replicas(deployment).ToString(CultureInfo.InvariantCulture));
            ObjectMeta.SetAnnotation(r, MaxReplicasAnnotation, (Replicas(deployment) + maxSurge).ToString(CultureInfo.InvariantCulture));
        }) ?? throw ApiException.NotFound(ResourceRegistry.ReplicaSets, rs.Name);
        rs.Sized(JsonFields.Int(updated["spec"]?["replicas"], replicas), Replicas(deployment), Replicas(deployment) + maxSurge);
    }

    /// <summary>Deletes the oldest fully scaled-down ReplicaSets beyond revisionHistoryLimit.</summary>
    private void Cleanup(JsonObject deployment, List<ReplicaSetView> olds)
    {
        if (JsonFields.Long(deployment["spec"]?["revisionHistoryLimit"]) is not { } limit)
        {
            return;
        }

        var cleanable = olds.Where(rs => rs.Spec == 0 && rs.ObservedPods == 0).OrderBy(rs => rs.Revision).ToList();
        foreach (var rs in cleanable.Take(Math.Max(0, cleanable.Count - (int)limit)))
        {
            try
            {
                _store.Delete(ResourceRegistry.ReplicaSets, ObjectMeta.Namespace(deployment), rs.Name, precondUid: rs.Uid);
            }
            catch (ApiException e) when (e.Code == HttpStatusCode.NotFound)
            {
                // Already gone.
            }
        }
    }

    private List<ReplicaSetView> OwnedReplicaSets(JsonObject deployment) =>
        _store.List(WatchFilter.All(ResourceRegistry.ReplicaSets, ObjectMeta.Namespace(deployment))).Items
            .Where(rs => ControllerReferences.IsControlledBy(rs, deployment) && !ObjectMeta.IsDeleting(rs))
            .Select(rs => new ReplicaSetView(rs))
            .ToList();

    private static bool HasProgressDeadline(JsonObject deployment) =>
        JsonFields.Long(deployment["spec"]?["progressDeadlineSeconds"]) is { } seconds && seconds < int.MaxValue;

    private static DeploymentCounts Calculate(JsonObject deployment, List<ReplicaSetView> all, ReplicaSetView? newRs)
    {
        var available = all.Sum(rs => rs.Available);
        return new DeploymentCounts(
            Replicas: all.Sum(rs => rs.ObservedPods),
            Updated: newRs?.ObservedPods ?? 0,
            Ready: all.Sum(rs => rs.Ready),
            Available: available,
            Unavailable: Math.Max(0, all.Sum(rs => rs.Spec) - available),
            ObservedGeneration: ObjectMeta.Generation(deployment));
    }

    private static bool IsComplete(JsonObject deployment, DeploymentCounts counts)
    {
        var replicas = Replicas(deployment);
        return counts.Updated == replicas && counts.Replicas == replicas && counts.Available == replicas
            && counts.ObservedGeneration >= ObjectMeta.Generation(deployment);
    }

    private TimeSpan? WriteStatus(JsonObject deployment, JsonObject working, List<ReplicaSetView> all, ReplicaSetView? newRs, DateTimeOffset now, bool trackProgress)
    {
        var counts = Calculate(deployment, all, newRs);
        var status = (JsonObject)working["status"]!;
        status["observedGeneration"] = counts.ObservedGeneration;
        status["replicas"] = counts.Replicas;
        status["updatedReplicas"] = counts.Updated;
        status["readyReplicas"] = counts.Ready;
        status["availableReplicas"] = counts.Available;
        status["unavailableReplicas"] = counts.Unavailable;

        if (counts.Available >= Replicas(deployment) - MaxUnavailable(deployment))
        {
            StatusConditions.Set(working, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", now, withUpdateTime: true);
        }
        else
        {
            StatusConditions.Set(working, "Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", now, withUpdateTime: true);
        }

        TimeSpan? again = null;
        if (trackProgress)
        {
            again = TrackProgress(deployment, working, counts, newRs, now);
        }

        OrderConditions(status);
        _store.Mutate(ResourceRegistry.Deployments, ObjectMeta.Namespace(deployment), ObjectMeta.Name(deployment), d =>
        {
            if (ObjectMeta.Uid(d) == ObjectMeta.Uid(deployment))
            {
                d["status"] = status.DeepClone();
            }
        }, statusOnly: true);
        return again;
    }

    /// <summary>syncRolloutStatus: the Progressing condition, and when to come back to judge the deadline.</summary>
    private static TimeSpan? TrackProgress(JsonObject deployment, JsonObject working, DeploymentCounts counts, ReplicaSetView? newRs, DateTimeOffset now)
    {
        if (!HasProgressDeadline(deployment))
        {
            (working["status"]!["conditions"] as JsonArray)?.Remove(StatusConditions.Find(working, "Progressing"));
            return null;
        }

        var complete = IsComplete(deployment, counts);
        var deadline = TimeSpan.FromSeconds(JsonFields.Long(deployment["spec"]?["progressDeadlineSeconds"]) ?? 600);
        if (complete && newRs is not null)
        {
            StatusConditions.Set(working, "Progressing", "True", "NewReplicaSetAvailable", $"ReplicaSet \"{newRs.Name}\" has successfully progressed.", now, withUpdateTime: true);
            return null;
        }

        if (IsProgressing(deployment, counts))
        {
            var message = newRs is null ? "Deployment is progressing." : $"ReplicaSet \"{newRs.Name}\" is progressing.";
            StatusConditions.Set(working, "Progressing", "True", "ReplicaSetUpdated", message, now, withUpdateTime: true, refresh: true);
        }
        else if (TimedOut(working, deadline, now))
        {
            var message = newRs is null ? "Deployment has timed out progressing." : $"ReplicaSet \"{newRs.Name}\" has timed out progressing.";
            StatusConditions.Set(working, "Progressing", "False", "ProgressDeadlineExceeded", message, now, withUpdateTime: true);
        }

        var condition = StatusConditions.Find(working, "Progressing");
        if (condition is null || complete || JsonFields.String(condition["reason"]) is "ProgressDeadlineExceeded" or "NewReplicaSetAvailable")
        {
            return null;
        }

        // requeueStuckDeployment: come back when the deadline would pass (timestamps have second precision).
        var lastUpdate = JsonFields.Time(condition["lastUpdateTime"]) ?? now;
        var remaining = lastUpdate + deadline - now;
        return (remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero) + TimeSpan.FromMilliseconds(250);
    }

    private static bool IsProgressing(JsonObject deployment, DeploymentCounts counts)
    {
        var old = deployment["status"];
        var oldReplicas = JsonFields.Int(old?["replicas"], 0);
        var oldUpdated = JsonFields.Int(old?["updatedReplicas"], 0);
        return counts.Updated > oldUpdated
            || counts.Replicas - counts.Updated < oldReplicas - oldUpdated
            || counts.Ready > JsonFields.Int(old?["readyReplicas"], 0)
            || counts.Available > JsonFields.Int(old?["availableReplicas"], 0);
    }

    private static bool TimedOut(JsonObject working, TimeSpan deadline, DateTimeOffset now)
    {
        var condition = StatusConditions.Find(working, "Progressing");
        switch (JsonFields.String(condition?["reason"]))
        {
            case null or "NewReplicaSetAvailable":
                return false;
            case "ProgressDeadlineExceeded":
                return true;
            default:
                return JsonFields.Time(condition!["lastUpdateTime"]) is { } from && from + deadline < now;
        }
    }

    /// <summary>Available before Progressing, as kubectl shows them, so rewriting one does not reorder the list.</summary>
    private static void OrderConditions(JsonObject status)
    {
        if (status["conditions"] is not JsonArray conditions)
        {
            return;
        }

        var ordered = conditions.OfType<JsonObject>()
            .OrderBy(c => JsonFields.String(c["type"]) switch { "Available" => 0, "Progressing" => 1, _ => 2 })
            .Select(c => (JsonNode)c.DeepClone())
            .ToArray();
        status["conditions"] = new JsonArray(ordered);
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
