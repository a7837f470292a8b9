using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Api;
using RoostKeeper.Ha.Testing.Store;

namespace RoostKeeper.Ha.Testing.Controllers;

/// <summary>The apps/v1 defaults the API server fills into a new Deployment, and the one rule a rollout needs.</summary>
internal sealed class DeploymentDefaulter : IObjectDefaulter
{
    public void OnCreate(ResourceType type, JsonObject obj)
    {
        if (type != ResourceRegistry.Deployments)
        {
            return;
        }

        var spec = JsonFields.Object(obj, "spec");
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
            if (DeploymentController.BothFencepostsZero(obj))
            {
                throw ApiException.Invalid(type, ObjectMeta.Name(obj), "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0");
            }
        }

        // apps/v1 requires both; fill whichever half is missing from the other, as older API versions did.
        var template = JsonFields.Object(spec, "template");
        var templateMetadata = JsonFields.Object(template, "metadata");
        if (templateMetadata["labels"] is not JsonObject && spec["selector"]?["matchLabels"] is JsonObject matchLabels)
        {
            templateMetadata["labels"] = matchLabels.DeepClone();
        }

        if (spec["selector"] is not JsonObject && templateMetadata["labels"] is JsonObject labels)
        {
            spec["selector"] = new JsonObject { ["matchLabels"] = labels.DeepClone() };
        }
    }
}
