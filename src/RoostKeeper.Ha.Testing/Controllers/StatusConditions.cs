using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Controllers;

/// <summary>The status.conditions list of pods and Deployments, with Kubernetes' timestamp rules.</summary>
internal static class StatusConditions
{
    public static JsonObject? Find(JsonObject obj, string type) =>
        (obj["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => JsonFields.String(c["type"]) == type);

    public static bool IsTrue(JsonObject obj, string type) => JsonFields.String(Find(obj, type)?["status"]) == "True";

    /// <summary>
    /// Sets a condition in place, as the Deployment controller's SetDeploymentCondition does: nothing changes
    /// while status and reason stay the same (unless <paramref name="refresh"/>, which Progressing uses to
    /// record fresh progress), and lastTransitionTime only moves when the status flips.
    /// </summary>
    public static void Set(JsonObject obj, string type, string status, string? reason, string? message, DateTimeOffset now, bool withUpdateTime = false, bool refresh = false, bool withProbeTime = false)
    {
        var statusObject = JsonFields.Object(obj, "status");
        if (statusObject["conditions"] is not JsonArray conditions)
        {
            conditions = [];
            statusObject["conditions"] = conditions;
        }

        var stamp = ObjectMeta.Timestamp(now);
        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => JsonFields.String(c["type"]) == type);
        if (!refresh
            && existing is not null
            && JsonFields.String(existing["status"]) == status
            && JsonFields.String(existing["reason"]) == reason)
        {
            return;
        }

        var condition = new JsonObject { ["type"] = type, ["status"] = status };
        if (withUpdateTime)
        {
            condition["lastUpdateTime"] = stamp;
        }

        if (withProbeTime)
        {
            // Job conditions have lastProbeTime where Deployment conditions have lastUpdateTime.
            condition["lastProbeTime"] = stamp;
        }

        condition["lastTransitionTime"] = existing is not null && JsonFields.String(existing["status"]) == status
            ? existing["lastTransitionTime"]?.DeepClone()
            : stamp;
        if (reason is not null)
        {
            condition["reason"] = reason;
        }

        if (message is not null)
        {
            condition["message"] = message;
        }

        if (existing is null)
        {
            conditions.Add(condition);
        }
        else
        {
            conditions[conditions.IndexOf(existing)] = condition;
        }
    }
}
