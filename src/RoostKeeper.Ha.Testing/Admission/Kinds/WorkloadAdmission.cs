using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Admission.Kinds;

/// <summary>
/// apps/v1 Deployments, ReplicaSets, StatefulSets and DaemonSets: the kind's defaults (given by
/// <paramref name="defaultSpec"/>) and its pod template's, then what their validation shares: a required,
/// non-empty selector that matches the template's labels, a template with containers and restartPolicy
/// Always, non-negative replicas, and a selector that never changes after creation.
/// </summary>
internal sealed class WorkloadAdmission(string kindName, Action<JsonObject> defaultSpec, Action<JsonObject, FieldErrors>? validateSpec = null) : KindAdmission
{
    public override void Default(JsonObject obj, AdmissionContext context)
    {
        var spec = JsonFields.Object(obj, "spec");
        defaultSpec(spec);
        if (spec["template"]?["spec"] is JsonObject podSpec)
        {
            PodSpecDefaults.Apply(podSpec);
        }
    }

    public override void ValidateCreate(JsonObject obj, FieldErrors errors)
    {
        var spec = obj["spec"] as JsonObject;
        var selector = spec?["selector"] as JsonObject;
        if (selector is null)
        {
            errors.Add(FieldError.Required("spec.selector"));
        }
        else if (((selector["matchLabels"] as JsonObject)?.Count ?? 0) + ((selector["matchExpressions"] as JsonArray)?.Count ?? 0) == 0)
        {
            errors.Add(FieldError.InvalidRendered("spec.selector", GoValues.LabelSelector(selector), $"empty selector is invalid for {kindName}"));
        }

        var template = spec?["template"] as JsonObject;
        var templateLabels = template?["metadata"]?["labels"];

        // A missing selector matches nothing (labels.Nothing), so it does not match the template either.
        if (selector is null || !LabelSelector.FromObject(selector).Matches(new JsonObject { ["metadata"] = new JsonObject { ["labels"] = templateLabels?.DeepClone() } }))
        {
            errors.Add(FieldError.InvalidRendered("spec.template.metadata.labels", GoValues.StringMap(templateLabels), "`selector` does not match template `labels`"));
        }

        PodSpecValidation.Validate(template?["spec"], "spec.template.spec", errors);
        if (GoValues.Text(template?["spec"]?["restartPolicy"]) is { Length: > 0 } restartPolicy && restartPolicy != "Always")
        {
            errors.Add(FieldError.NotSupported("spec.template.spec.restartPolicy", restartPolicy, "Always"));
        }

        if (GoValues.Long(spec?["replicas"]) is < 0 and var replicas)
        {
            errors.Add(FieldError.Invalid("spec.replicas", replicas, "must be greater than or equal to 0"));
        }

        validateSpec?.Invoke(obj, errors);
    }

    public override void ValidateUpdate(JsonObject obj, JsonObject old, FieldErrors errors)
    {
        ValidateCreate(obj, errors);
        var selector = obj["spec"]?["selector"];
        if (!JsonNode.DeepEquals(selector, old["spec"]?["selector"]))
        {
            errors.Add(FieldError.InvalidRendered("spec.selector", GoValues.LabelSelector(selector), "field is immutable"));
        }
    }

    public static WorkloadAdmission Deployments() => new("deployment", spec =>
    {
        spec["replicas"] ??= 1;
        spec["revisionHistoryLimit"] ??= 10;
        spec["progressDeadlineSeconds"] ??= 600;
        var strategy = JsonFields.Object(spec, "strategy");
        strategy["type"] ??= "RollingUpdate";
        if (JsonFields.String(strategy["type"]) == "RollingUpdate")
        {
            var rollingUpdate = JsonFields.Object(strategy, "rollingUpdate");
            rollingUpdate["maxSurge"] ??= "25%";
            rollingUpdate["maxUnavailable"] ??= "25%";
        }
    },
    (obj, errors) =>
    {
        if (DeploymentStrategy.BothFencepostsZero(obj))
        {
            errors.Add(FieldError.InvalidRendered("spec.strategy.rollingUpdate.maxUnavailable", GoValues.Number(obj["spec"]?["strategy"]?["rollingUpdate"]?["maxUnavailable"]), "may not be 0 when `maxSurge` is 0"));
        }
    });

    // A ReplicaSet's validation says "deployment" too.
    public static WorkloadAdmission ReplicaSets() => new("deployment", spec => spec["replicas"] ??= 1);

    public static WorkloadAdmission StatefulSets() => new("statefulset", spec =>
    {
        spec["replicas"] ??= 1;
        spec["podManagementPolicy"] ??= "OrderedReady";
        spec["revisionHistoryLimit"] ??= 10;
        var strategy = JsonFields.Object(spec, "updateStrategy");

        // Unlike a Deployment's or DaemonSet's, SetDefaults_StatefulSet adds rollingUpdate only with the type it
        // defaults: an explicit RollingUpdate without rollingUpdate stays without it (partition 0 is implied).
        if (strategy["type"] is null)
        {
            strategy["type"] = "RollingUpdate";
            strategy["rollingUpdate"] ??= new JsonObject();
        }

        if (JsonFields.String(strategy["type"]) == "RollingUpdate" && strategy["rollingUpdate"] is JsonObject rollingUpdate)
        {
            rollingUpdate["partition"] ??= 0;
        }

        var retention = JsonFields.Object(spec, "persistentVolumeClaimRetentionPolicy");
        retention["whenDeleted"] ??= "Retain";
        retention["whenScaled"] ??= "Retain";
    });

    public static WorkloadAdmission DaemonSets() => new("daemonset", spec =>
    {
        spec["revisionHistoryLimit"] ??= 10;
        var strategy = JsonFields.Object(spec, "updateStrategy");
        strategy["type"] ??= "RollingUpdate";
        if (JsonFields.String(strategy["type"]) == "RollingUpdate")
        {
            var rollingUpdate = JsonFields.Object(strategy, "rollingUpdate");
            rollingUpdate["maxUnavailable"] ??= 1;
            rollingUpdate["maxSurge"] ??= 0;
        }
    });
}
