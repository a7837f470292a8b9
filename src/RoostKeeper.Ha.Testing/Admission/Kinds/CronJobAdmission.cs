using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Admission.Kinds;

/// <summary>
/// batch/v1 CronJobs: the defaulter's concurrencyPolicy Allow, suspend false and history limits 3 and 1; validation
/// of the schedule (five cron fields or a macro, no <c>TZ=</c> prefix) and the time zone, and of the Job template's
/// restartPolicy as a Job's.
/// </summary>
internal sealed class CronJobAdmission : KindAdmission
{
    public override NameRules.NameRule NameRule => NameRules.Dns1123Subdomain;

    public override void Default(JsonObject obj, AdmissionContext context)
    {
        var spec = JsonFields.Object(obj, "spec");
        spec["concurrencyPolicy"] ??= "Allow";
        spec["suspend"] ??= false;
        spec["successfulJobsHistoryLimit"] ??= 3;
        spec["failedJobsHistoryLimit"] ??= 1;
        if (spec["jobTemplate"]?["spec"]?["template"]?["spec"] is JsonObject podSpec)
        {
            PodSpecDefaults.Apply(podSpec);
        }
    }

    public override void ValidateCreate(JsonObject obj, FieldErrors errors)
    {
        var spec = obj["spec"] as JsonObject;
        var schedule = GoValues.Text(spec?["schedule"]) ?? "";
        if (schedule.Length == 0)
        {
            errors.Add(FieldError.Required("spec.schedule"));
        }
        else if (schedule.Contains("TZ", StringComparison.Ordinal))
        {
            errors.Add(FieldError.Invalid("spec.schedule", schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
        }
        else if (CronSchedule.Parse(schedule, out var problem) is null)
        {
            errors.Add(FieldError.Invalid("spec.schedule", schedule, problem ?? "unparseable schedule"));
        }

        if (GoValues.Text(spec?["timeZone"]) is { Length: > 0 } zone && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            errors.Add(FieldError.Invalid("spec.timeZone", zone, "unknown time zone " + zone));
        }

        if (GoValues.Text(spec?["concurrencyPolicy"]) is { Length: > 0 } policy && policy is not ("Allow" or "Forbid" or "Replace"))
        {
            errors.Add(FieldError.NotSupported("spec.concurrencyPolicy", policy, "Allow", "Forbid", "Replace"));
        }

        var template = spec?["jobTemplate"]?["spec"]?["template"];
        PodSpecValidation.Validate(template?["spec"], "spec.jobTemplate.spec.template.spec", errors);
        var restartPolicy = GoValues.Text(template?["spec"]?["restartPolicy"]) ?? "";
        if (restartPolicy is not ("OnFailure" or "Never"))
        {
            errors.Add(FieldError.NotSupported("spec.jobTemplate.spec.template.spec.restartPolicy", restartPolicy, "OnFailure", "Never"));
        }
    }
}
