using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Store;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Controllers;

/// <summary>
/// kube-controller-manager's Job controller (batch/v1, NonIndexed): keeps up to <c>parallelism</c> pods running
/// until <c>completions</c> have succeeded (without completions, until one has and none is left running), counts
/// failures (failed pods, and restarts under restartPolicy OnFailure) against <c>backoffLimit</c>, honours
/// <c>suspend</c>, and reports active, ready, succeeded and failed pods, startTime, completionTime and the
/// SuccessCriteriaMet and Complete, or FailureTarget and Failed, conditions that <c>kubectl wait</c> reads.
/// The pods run as the simulated kubelet runs them: a healthy image succeeds, a crash-looping one fails.
/// </summary>
internal sealed class JobController : IAsyncDisposable
{
    private readonly ObjectStore _store;
    private readonly TimeProvider _time;
    private readonly ControllerLoop _loop;
    private readonly EventRecorder _events;

    public JobController(ObjectStore store, TimeProvider time, CancellationToken stopping)
    {
        _store = store;
        _time = time;
        _events = new EventRecorder(store, time, "job-controller");
        _loop = new ControllerLoop(
            store,
            time,
            [
                new WatchSource(ResourceRegistry.Jobs, e => [new ObjectKey(ObjectMeta.Namespace(e.Object) ?? "", ObjectMeta.Name(e.Object))]),
                new WatchSource(ResourceRegistry.Pods, e => ControllerReferences.ControllerKey(e.Object, ResourceRegistry.Jobs)),
            ],
            Reconcile,
            stopping);
    }

    public ValueTask DisposeAsync() => _loop.DisposeAsync();

    public static bool IsFinished(JsonObject job) => StatusConditions.IsTrue(job, "Complete") || StatusConditions.IsTrue(job, "Failed");

    private TimeSpan? Reconcile(ObjectKey key)
    {
        var job = _store.TryGet(ResourceRegistry.Jobs, key.Namespace, key.Name);
        if (job is null || ObjectMeta.IsDeleting(job) || IsFinished(job))
        {
            return null;
        }

        var spec = job["spec"] as JsonObject ?? [];
        var completions = JsonFields.Long(spec["completions"]) is { } c ? (int)c : (int?)null;
        var parallelism = Math.Max(0, JsonFields.Int(spec["parallelism"], 1));
        var backoffLimit = JsonFields.Int(spec["backoffLimit"], 6);
        var pods = _store.List(WatchFilter.All(ResourceRegistry.Pods, key.Namespace)).Items.Where(p => ControllerReferences.IsControlledBy(p, job)).ToList();
        var active = pods.Where(p => !ObjectMeta.IsDeleting(p) && JsonFields.String(p["status"]?["phase"]) is not ("Succeeded" or "Failed")).ToList();
        var succeeded = pods.Count(p => JsonFields.String(p["status"]?["phase"]) == "Succeeded");
        var failed = pods.Count(p => JsonFields.String(p["status"]?["phase"]) == "Failed");
        var restarts = JsonFields.String(spec["template"]?["spec"]?["restartPolicy"]) == "OnFailure"
            ? active.Sum(p => (p["status"]?["containerStatuses"] as JsonArray ?? []).Sum(s => JsonFields.Int(s?["restartCount"], 0)))
            : 0;
        var now = ObjectMeta.Timestamp(_time.GetUtcNow());

        string? outcome = null;
        if (failed + restarts > backoffLimit)
        {
            outcome = "Failed";
        }
        else if (completions is { } wanted ? succeeded >= wanted : succeeded > 0 && active.Count == 0)
        {
            outcome = "Complete";
        }

        if (outcome is not null)
        {
            foreach (var pod in active)
            {
                Delete(pod);
            }

            active.Clear();
        }
        else if (JsonFields.Bool(spec["suspend"]))
        {
            foreach (var pod in active)
            {
                Delete(pod);
            }

            active.Clear();
        }
        else
        {
            var want = completions is { } total ? Math.Min(parallelism, total - succeeded) : succeeded > 0 ? 0 : parallelism;
            for (var i = active.Count; i < want; i++)
            {
                active.Add(CreatePod(job));
            }

            foreach (var extra in active.Skip(Math.Max(want, 0)).ToList())
            {
                Delete(extra);
                active.Remove(extra);
            }
        }

        _store.Mutate(ResourceRegistry.Jobs, key.Namespace, key.Name, j =>
        {
            if (ObjectMeta.Uid(j) != ObjectMeta.Uid(job))
            {
                return;
            }

            var status = JsonFields.Object(j, "status");
            status["startTime"] ??= JsonFields.Bool(spec["suspend"]) ? null : now;
            status["active"] = active.Count;
            status["ready"] = active.Count(p => StatusConditions.IsTrue(p, "Ready"));
            status["succeeded"] = succeeded;
            status["failed"] = failed;
            status["terminating"] = 0;
            status["uncountedTerminatedPods"] = new JsonObject();
            var time = _time.GetUtcNow();
            if (outcome == "Complete")
            {
                status["completionTime"] = now;
                StatusConditions.Set(j, "SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods", time, withProbeTime: true);
                StatusConditions.Set(j, "Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods", time, withProbeTime: true);
            }
            else if (outcome == "Failed")
            {
                StatusConditions.Set(j, "FailureTarget", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit", time, withProbeTime: true);
                StatusConditions.Set(j, "Failed", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit", time, withProbeTime: true);
            }
        }, statusOnly: true);

        if (outcome == "Complete")
        {
            _events.Normal(ResourceRegistry.Jobs, job, "Completed", "Job completed");
        }
        else if (outcome == "Failed")
        {
            _events.Normal(ResourceRegistry.Jobs, job, "BackoffLimitExceeded", "Job has reached the specified backoff limit");
        }

        return null;
    }

    private JsonObject CreatePod(JsonObject job)
    {
        var template = job["spec"]?["template"] as JsonObject ?? [];
        var metadata = template["metadata"]?.DeepClone() as JsonObject ?? [];
        metadata.Remove("name");
        metadata.Remove("namespace");
        metadata["generateName"] = ObjectMeta.Name(job) + "-";
        metadata["ownerReferences"] = new JsonArray(ControllerReferences.To(ResourceRegistry.Jobs, job));
        var created = _store.Create(ResourceRegistry.Pods, ObjectMeta.Namespace(job), new JsonObject
        {
            ["metadata"] = metadata,
            ["spec"] = template["spec"]?.DeepClone() ?? new JsonObject(),
        });
        _events.Normal(ResourceRegistry.Jobs, job, "SuccessfulCreate", $"Created pod: {ObjectMeta.Name(created)}");
        return created;
    }

    private void Delete(JsonObject pod)
    {
        try
        {
            _store.Delete(ResourceRegistry.Pods, ObjectMeta.Namespace(pod), ObjectMeta.Name(pod), precondUid: ObjectMeta.Uid(pod));
        }
        catch (ApiException e) when (e.Code == System.Net.HttpStatusCode.NotFound)
        {
            // Already gone.
        }
    }
}
