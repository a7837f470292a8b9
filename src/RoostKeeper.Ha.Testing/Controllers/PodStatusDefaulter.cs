using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Api;
using RoostKeeper.Ha.Testing.Store;

namespace RoostKeeper.Ha.Testing.Controllers;

/// <summary>Gives a new Pod the status the API server's pod strategy gives it: phase Pending.</summary>
internal sealed class PodStatusDefaulter : IObjectDefaulter
{
    public void OnCreate(ResourceType type, JsonObject obj)
    {
        if (type != ResourceRegistry.Pods)
        {
            return;
        }

        obj["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = "BestEffort" };
    }
}
