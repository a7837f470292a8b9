using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Admission.Kinds;

/// <summary>
/// Pods: the pod spec defaults, SetDefaults_Pod's enableServiceLinks, what the default admission plugins add
/// on create (ServiceAccount: serviceAccountName <c>default</c>; Priority: priority 0 and preemptionPolicy;
/// DefaultTolerationSeconds: the not-ready and unreachable tolerations of 300 s), the strategy's initial
/// status (Pending, with its QoS class), the pod spec validation, and on update the few spec changes a pod allows
/// (<see cref="PodUpdateValidation"/>).
/// </summary>
internal sealed class PodAdmission : KindAdmission
{
    public override void Default(JsonObject obj, AdmissionContext context)
    {
        var spec = JsonFields.Object(obj, "spec");
        PodSpecDefaults.Apply(spec);
        spec["enableServiceLinks"] ??= true;
        if (!context.IsCreate)
        {
            return;
        }

        spec["serviceAccountName"] ??= "default";
        spec["serviceAccount"] ??= spec["serviceAccountName"]!.DeepClone();
        spec["priority"] ??= 0;
        spec["preemptionPolicy"] ??= "PreemptLowerPriority";
        var tolerations = spec["tolerations"] as JsonArray ?? [];
        spec["tolerations"] = tolerations;
        foreach (var taint in new[] { "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable" })
        {
            if (!tolerations.Any(t => GoValues.Text(t?["key"]) == taint && GoValues.Text(t?["effect"]) is "NoExecute" or ""))
            {
                tolerations.Add(new JsonObject { ["key"] = taint, ["operator"] = "Exists", ["effect"] = "NoExecute", ["tolerationSeconds"] = 300 });
            }
        }

        obj["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = QosClass(spec) };
    }

    public override void ValidateCreate(JsonObject obj, FieldErrors errors) => PodSpecValidation.Validate(obj["spec"], "spec", errors);

    public override void ValidateUpdate(JsonObject obj, JsonObject old, FieldErrors errors)
    {
        ValidateCreate(obj, errors);
        PodUpdateValidation.Validate(obj, old, errors);
    }

    /// <summary>Guaranteed when every container limits CPU and memory at its requests, BestEffort with no resources at all, else Burstable.</summary>
    private static string QosClass(JsonObject spec)
    {
        var containers = (spec["containers"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        if (containers.All(c => c["resources"]?["requests"] is not JsonObject { Count: > 0 } && c["resources"]?["limits"] is not JsonObject { Count: > 0 }))
        {
            return "BestEffort";
        }

        var guaranteed = containers.All(c => new[] { "cpu", "memory" }.All(r =>
            c["resources"]?["limits"]?[r] is { } limit && (c["resources"]?["requests"]?[r] is not { } request || JsonNode.DeepEquals(request, limit))));
        return guaranteed ? "Guaranteed" : "Burstable";
    }
}
