using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Admission.Kinds;

/// <summary>
/// batch/v1 Jobs: the defaulter's parallelism, completions (1 when neither is set), backoffLimit 6, completionMode
/// and podReplacementPolicy, and the strategy's generated selector on the Job's uid with the
/// <c>batch.kubernetes.io/controller-uid</c> and <c>job-name</c> labels on its template; validation of a template
/// whose restartPolicy is OnFailure or Never, and an immutable selector and template.
/// </summary>
internal sealed class JobAdmission : KindAdmission
{
    private const string ControllerUidLabel = "batch.kubernetes.io/controller-uid";
    private const string JobNameLabel = "batch.kubernetes.io/job-name";

    public override void Default(JsonObject obj, AdmissionContext context)
    {
        var spec = JsonFields.Object(obj, "spec");
        if (spec["completions"] is null && spec["parallelism"] is null)
        {
            spec["completions"] = 1;
        }

        spec["parallelism"] ??= 1;
        spec["backoffLimit"] ??= 6;
        spec["completionMode"] ??= "NonIndexed";
        spec["suspend"] ??= false;
        spec["podReplacementPolicy"] ??= "TerminatingOrFailed";
        if (context.IsCreate && !JsonFields.Bool(spec["manualSelector"]) && spec["selector"] is null && obj["metadata"]?["uid"] is { } uid)
        {
            var name = obj["metadata"]?["name"]?.DeepClone();
            spec["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { [ControllerUidLabel] = uid.DeepClone() } };
            var labels = JsonFields.Object(JsonFields.Object(JsonFields.Object(spec, "template"), "metadata"), "labels");
            labels[ControllerUidLabel] = uid.DeepClone();
            labels[JobNameLabel] = name?.DeepClone();
            labels["controller-uid"] = uid.DeepClone();
            labels["job-name"] = name?.DeepClone();
        }

        if (spec["template"]?["spec"] is JsonObject podSpec)
        {
            podSpec["restartPolicy"] ??= "Always"; // as the pod defaulter does, so that validation refuses it
            PodSpecDefaults.Apply(podSpec);
        }
    }

    public override void ValidateCreate(JsonObject obj, FieldErrors errors)
    {
        var template = obj["spec"]?["template"];
        PodSpecValidation.Validate(template?["spec"], "spec.template.spec", errors);
        var restartPolicy = GoValues.Text(template?["spec"]?["restartPolicy"]) ?? "";
        if (restartPolicy is not ("OnFailure" or "Never"))
        {
            errors.Add(FieldError.NotSupported("spec.template.spec.restartPolicy", restartPolicy, "OnFailure", "Never"));
        }

        foreach (var field in new[] { "parallelism", "completions", "backoffLimit" })
        {
            if (GoValues.Long(obj["spec"]?[field]) is < 0 and var value)
            {
                errors.Add(FieldError.Invalid($"spec.{field}", value, "must be greater than or equal to 0"));
            }
        }
    }

    public override void ValidateUpdate(JsonObject obj, JsonObject old, FieldErrors errors)
    {
        ValidateCreate(obj, errors);
        if (!JsonNode.DeepEquals(obj["spec"]?["selector"], old["spec"]?["selector"]))
        {
            errors.Add(FieldError.InvalidRendered("spec.selector", GoValues.LabelSelector(obj["spec"]?["selector"]), "field is immutable"));
        }

        if (!JsonNode.DeepEquals(obj["spec"]?["template"], old["spec"]?["template"]))
        {
            errors.Add(FieldError.Invalid("spec.template", "", "field is immutable"));
        }
    }
}
