using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Testing.Resources;

/// <summary>Reads of a Deployment's <c>spec.strategy</c> that both its validation and its controller need.</summary>
internal static class DeploymentStrategy
{
    /// <summary>Whether maxSurge and maxUnavailable are both zero, which the API server rejects.</summary>
    public static bool BothFencepostsZero(JsonObject deployment)
    {
        var rollingUpdate = deployment["spec"]?["strategy"]?["rollingUpdate"];
        return IsZero(rollingUpdate?["maxSurge"]) && IsZero(rollingUpdate?["maxUnavailable"]);

        static bool IsZero(JsonNode? value) => JsonFields.Long(value) == 0 || JsonFields.String(value) is "0" or "0%";
    }
}
