using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Store;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Controllers;

/// <summary>
/// Pods that run to completion (restartPolicy Never or OnFailure, as a Job's do): a healthy image's containers
/// exit 0 one poll after they started and the pod Succeeds; a crash-looping image's exit 1 and, with Never, the
/// pod Fails (with OnFailure it restarts in CrashLoopBackOff, each restart counted). A never-ready image runs on.
/// </summary>
internal sealed partial class SimulatedKubelet
{
    private bool Terminate(JsonObject pod, JsonArray containers, DateTimeOffset now)
    {
        var restartPolicy = JsonFields.String(pod["spec"]?["restartPolicy"]);
        if (restartPolicy is not ("Never" or "OnFailure"))
        {
            return false;
        }

        var images = (pod["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>().Select(c => _images.Get(JsonFields.String(c["image"]) ?? "")).ToList();
        var failed = images.Contains(ImageHealth.CrashLooping);
        if ((failed && restartPolicy == "OnFailure") || (!failed && images.Any(i => i != ImageHealth.Healthy)))
        {
            return false;
        }

        var finished = ObjectMeta.Timestamp(now);
        foreach (var container in containers.OfType<JsonObject>())
        {
            container["ready"] = false;
            container["started"] = false;
            container["state"] = new JsonObject
            {
                ["terminated"] = new JsonObject
                {
                    ["exitCode"] = failed ? 1 : 0,
                    ["reason"] = failed ? "Error" : "Completed",
                    ["startedAt"] = JsonFields.String(pod["status"]?["startTime"]) ?? finished,
                    ["finishedAt"] = finished,
                    ["containerID"] = container["containerID"]?.DeepClone(),
                },
            };
            container.Remove("lastState");
        }

        var status = JsonFields.Object(pod, "status");
        status["phase"] = failed ? "Failed" : "Succeeded";
        status["containerStatuses"] = containers;
        StatusConditions.Set(pod, "ContainersReady", "False", "PodCompleted", null, now);
        StatusConditions.Set(pod, "Ready", "False", "PodCompleted", null, now);
        return true;
    }
}
