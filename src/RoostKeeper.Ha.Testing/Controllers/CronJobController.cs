using System.Globalization;
using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Store;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Controllers;

/// <summary>
/// kube-controller-manager's CronJob controller (batch/v1), on the cluster's <see cref="TimeProvider"/>: at each
/// time <c>spec.schedule</c> (in <c>spec.timeZone</c>, UTC by default) names, it creates the Job
/// <c>NAME-&lt;minutes since the epoch&gt;</c> from <c>jobTemplate</c>, at most once per schedule and only for the most
/// recent missed time (within <c>startingDeadlineSeconds</c>); <c>concurrencyPolicy</c> Allow runs it next to
/// unfinished Jobs, Forbid skips it while one runs, Replace deletes them first; <c>suspend</c> stops new runs; the
/// finished Jobs beyond <c>successfulJobsHistoryLimit</c> and <c>failedJobsHistoryLimit</c> are deleted, oldest
/// first. Status: the active Jobs, lastScheduleTime and lastSuccessfulTime.
/// </summary>
internal sealed class CronJobController : IAsyncDisposable
{
    public const string ScheduledTimestampAnnotation = "batch.kubernetes.io/cronjob-scheduled-timestamp";

    private readonly ObjectStore _store;
    private readonly TimeProvider _time;
    private readonly ControllerLoop _loop;
    private readonly EventRecorder _events;

    public CronJobController(ObjectStore store, TimeProvider time, CancellationToken stopping)
    {
        _store = store;
        _time = time;
        _events = new EventRecorder(store, time, "cronjob-controller");
        _loop = new ControllerLoop(
            store,
            time,
            [
                new WatchSource(ResourceRegistry.CronJobs, e => [new ObjectKey(ObjectMeta.Namespace(e.Object) ?? "", ObjectMeta.Name(e.Object))]),
                new WatchSource(ResourceRegistry.Jobs, e => ControllerReferences.ControllerKey(e.Object, ResourceRegistry.CronJobs)),
            ],
            Reconcile,
            stopping);
    }

    public ValueTask DisposeAsync() => _loop.DisposeAsync();

    private TimeSpan? Reconcile(ObjectKey key)
    {
        var cronJob = _store.TryGet(ResourceRegistry.CronJobs, key.Namespace, key.Name);
        if (cronJob is null || ObjectMeta.IsDeleting(cronJob))
        {
            return null;
        }

        var spec = cronJob["spec"] as JsonObject ?? [];
        var jobs = _store.List(WatchFilter.All(ResourceRegistry.Jobs, key.Namespace)).Items.Where(j => ControllerReferences.IsControlledBy(j, cronJob)).ToList();
        var active = jobs.Where(j => !JobController.IsFinished(j) && !ObjectMeta.IsDeleting(j)).ToList();
        TrimHistory(cronJob, jobs.Where(JobController.IsFinished).ToList());

        var cron = CronSchedule.Parse(JsonFields.String(spec["schedule"]), out _);
        var zone = TimeZoneInfo.Utc;
        if (JsonFields.String(spec["timeZone"]) is { Length: > 0 } zoneId && !TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out zone))
        {
            zone = null;
        }

        var now = _time.GetUtcNow();
        TimeSpan? again = null;
        string? scheduled = null;
        if (cron is not null && zone is not null)
        {
            var earliest = JsonFields.Time(cronJob["status"]?["lastScheduleTime"]) ?? JsonFields.Time(cronJob["metadata"]?["creationTimestamp"]) ?? now;
            if (JsonFields.Long(spec["startingDeadlineSeconds"]) is { } deadline && now.AddSeconds(-deadline) > earliest)
            {
                earliest = now.AddSeconds(-deadline);
            }

            DateTimeOffset? due = null;
            for (var next = cron.GetNextOccurrence(earliest, zone); next is { } t && t <= now; next = cron.GetNextOccurrence(t, zone))
            {
                due = t;
            }

            if (due is { } time && !JsonFields.Bool(spec["suspend"]))
            {
                scheduled = Run(cronJob, time, active);
            }

            if (cron.GetNextOccurrence(now, zone) is { } upcoming)
            {
                again = upcoming - now;
            }
        }

        var finishedOk = jobs.Where(j => StatusConditions.IsTrue(j, "Complete")).Select(j => JsonFields.Time(j["status"]?["completionTime"])).Max();
        _store.Mutate(ResourceRegistry.CronJobs, key.Namespace, key.Name, c =>
        {
            if (ObjectMeta.Uid(c) != ObjectMeta.Uid(cronJob))
            {
                return;
            }

            var status = JsonFields.Object(c, "status");
            var references = _store.List(WatchFilter.All(ResourceRegistry.Jobs, key.Namespace)).Items
                .Where(j => ControllerReferences.IsControlledBy(j, cronJob) && !JobController.IsFinished(j) && !ObjectMeta.IsDeleting(j))
                .Select(j => (JsonNode?)new JsonObject
                {
                    ["apiVersion"] = "batch/v1", ["kind"] = "Job", ["name"] = ObjectMeta.Name(j), ["namespace"] = key.Namespace,
                    ["uid"] = ObjectMeta.Uid(j), ["resourceVersion"] = ObjectMeta.ResourceVersion(j),
                }).ToArray();
            if (references.Length > 0)
            {
                status["active"] = new JsonArray(references);
            }
            else
            {
                status.Remove("active");
            }

            if (scheduled is not null)
            {
                status["lastScheduleTime"] = scheduled;
            }

            if (finishedOk is { } ok)
            {
                status["lastSuccessfulTime"] = ObjectMeta.Timestamp(ok);
            }
        }, statusOnly: true);
        return again;
    }

    /// <summary>Starts the run due at <paramref name="time"/> as the concurrency policy allows; returns its timestamp, or null when it was skipped.</summary>
    private string? Run(JsonObject cronJob, DateTimeOffset time, List<JsonObject> active)
    {
        var ns = ObjectMeta.Namespace(cronJob);
        var name = $"{ObjectMeta.Name(cronJob)}-{(time.ToUnixTimeSeconds() / 60).ToString(CultureInfo.InvariantCulture)}";
        if (_store.TryGet(ResourceRegistry.Jobs, ns, name) is not null)
        {
            return ObjectMeta.Timestamp(time); // this run was started already
        }

        switch (JsonFields.String(cronJob["spec"]?["concurrencyPolicy"]))
        {
            case "Forbid" when active.Count > 0:
                // Tried again when the running Job finishes (its change requeues us).
                _events.Normal(ResourceRegistry.CronJobs, cronJob, "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid");
                return null;
            case "Replace":
                foreach (var job in active)
                {
                    _store.Delete(ResourceRegistry.Jobs, ns, ObjectMeta.Name(job), precondUid: ObjectMeta.Uid(job));
                    _events.Normal(ResourceRegistry.CronJobs, cronJob, "SuccessfulDelete", $"Deleted job {ObjectMeta.Name(job)}");
                }

                break;
        }

        var template = cronJob["spec"]?["jobTemplate"] as JsonObject ?? [];
        var metadata = template["metadata"]?.DeepClone() as JsonObject ?? [];
        metadata["name"] = name;
        metadata.Remove("namespace");
        JsonFields.Object(metadata, "annotations")[ScheduledTimestampAnnotation] = ObjectMeta.Timestamp(time);
        metadata["ownerReferences"] = new JsonArray(ControllerReferences.To(ResourceRegistry.CronJobs, cronJob));
        _store.Create(ResourceRegistry.Jobs, ns, new JsonObject
        {
            ["apiVersion"] = "batch/v1",
            ["kind"] = "Job",
            ["metadata"] = metadata,
            ["spec"] = template["spec"]?.DeepClone() ?? new JsonObject(),
        });
        _events.Normal(ResourceRegistry.CronJobs, cronJob, "SuccessfulCreate", $"Created job {name}");
        return ObjectMeta.Timestamp(time);
    }

    private void TrimHistory(JsonObject cronJob, List<JsonObject> finished)
    {
        var spec = cronJob["spec"];
        foreach (var (condition, limit) in new[] { ("Complete", JsonFields.Int(spec?["successfulJobsHistoryLimit"], 3)), ("Failed", JsonFields.Int(spec?["failedJobsHistoryLimit"], 1)) })
        {
            var old = finished.Where(j => StatusConditions.IsTrue(j, condition))
                .OrderByDescending(j => JsonFields.Time(j["metadata"]?["annotations"]?[ScheduledTimestampAnnotation]) ?? JsonFields.Time(j["metadata"]?["creationTimestamp"]))
                .Skip(Math.Max(0, limit));
            foreach (var job in old)
            {
                try
                {
                    _store.Delete(ResourceRegistry.Jobs, ObjectMeta.Namespace(job), ObjectMeta.Name(job), precondUid: ObjectMeta.Uid(job));
                    _events.Normal(ResourceRegistry.CronJobs, cronJob, "SuccessfulDelete", $"Deleted job {ObjectMeta.Name(job)}");
                }
                catch (ApiException e) when (e.Code == System.Net.HttpStatusCode.NotFound)
                {
                    // Already gone.
                }
            }
        }
    }
}
