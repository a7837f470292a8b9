using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Admission.Kinds;

/// <summary>
/// batch/v1 Jobs: the defaulter's parallelism, completions (1 when neither is set), backoffLimit 6, completionMode
/// and podReplacementPolicy, and the strategy's generated selector on the Job's uid with the
/// <c>batch.kubernetes.io/controller-uid</c> and <c>job-name</c> labels on its template; validation of a template
/// whose restartPolicy is OnFailure or Never, and an immutable selector and template (but for the scheduling
/// directives of a suspended Job that never started).
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

        // validatePodTemplateUpdate: the template is immutable, except that a Job that is suspended and has never
        // started may change its pods' scheduling directives (what a queueing controller such as Kueue sets before
        // it unsuspends the Job). The server prints the whole template with %#v (pointers as addresses); the
        // simulator abbreviates it.
        var template = obj["spec"]?["template"];
        var oldTemplate = old["spec"]?["template"];
        if (JsonFields.Bool(old["spec"]?["suspend"]) && old["status"]?["startTime"] is null)
        {
            oldTemplate = WithSchedulingDirectivesOf(oldTemplate, template);
        }

        if (!JsonNode.DeepEquals(template, oldTemplate))
        {
            errors.Add(FieldError.InvalidRendered("spec.template", "core.PodTemplateSpec{...}", "field is immutable"));
        }
    }

    /// <summary>
    /// The old template with the new one's labels, annotations, nodeSelector, tolerations, schedulingGates and node
    /// affinity, so that only a change elsewhere remains a difference (upstream's AllowMutableSchedulingDirectives).
    /// </summary>
    private static JsonObject WithSchedulingDirectivesOf(JsonNode? oldTemplate, JsonNode? template)
    {
        var result = oldTemplate?.DeepClone() as JsonObject ?? new JsonObject();
        var metadata = JsonFields.Object(result, "metadata");
        var spec = JsonFields.Object(result, "spec");
        void Take(JsonObject target, JsonNode? source, string field)
        {
            if (source?[field] is { } value)
            {
                target[field] = value.DeepClone();
            }
            else
            {
                target.Remove(field);
            }
        }

        Take(metadata, template?["metadata"], "labels");
        Take(metadata, template?["metadata"], "annotations");
        foreach (var field in new[] { "nodeSelector", "tolerations", "schedulingGates" })
        {
            Take(spec, template?["spec"], field);
        }

        var newAffinity = template?["spec"]?["affinity"] as JsonObject;
        switch (spec["affinity"] as JsonObject)
        {
            case { } oldAffinity when newAffinity is null:
                // Clearing affinity is allowed when the old one held nothing but node affinity.
                oldAffinity.Remove("nodeAffinity");
                if (oldAffinity.Count == 0)
                {
                    spec.Remove("affinity");
                }

                break;
            case { } oldAffinity:
                Take(oldAffinity, newAffinity, "nodeAffinity");
                break;
            case null when newAffinity is not null:
                var added = new JsonObject();
                Take(added, newAffinity, "nodeAffinity");
                spec["affinity"] = added;
                break;
        }

        if (metadata.Count == 0 && oldTemplate?["metadata"] is null)
        {
            result.Remove("metadata");
        }

        return result;
    }
}
