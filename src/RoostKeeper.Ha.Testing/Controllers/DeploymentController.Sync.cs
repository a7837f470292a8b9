using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Store;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Controllers;

/// <summary>sync.go: the new ReplicaSet and its revision, proportional scaling of a Deployment resized mid-rollout, scaling, and clean-up of old ReplicaSets beyond the history limit.</summary>
internal sealed partial class DeploymentController
{
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
        if (replicas > 0)
        {
            _events.Normal(ResourceRegistry.Deployments, deployment, "ScalingReplicaSet", ScalingMessage(name, 0, replicas));
        }

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
        if (rs.Spec != replicas)
        {
            _events.Normal(ResourceRegistry.Deployments, deployment, "ScalingReplicaSet", ScalingMessage(rs.Name, rs.Spec, replicas));
        }

        rs.Sized(JsonFields.Int(updated["spec"]?["replicas"], replicas), Replicas(deployment), Replicas(deployment) + maxSurge);
    }

    /// <summary>The deployment controller's ScalingReplicaSet message (sync.go's scaleReplicaSet).</summary>
    private static string ScalingMessage(string rsName, int from, int to) =>
        string.Create(CultureInfo.InvariantCulture, $"Scaled {(from < to ? "up" : "down")} replica set {rsName} from {from} to {to}");

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
}
