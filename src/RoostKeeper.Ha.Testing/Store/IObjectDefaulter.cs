using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Api;

namespace RoostKeeper.Ha.Testing.Store;

/// <summary>Fills the fields the real API server defaults on create (a Deployment's strategy, a Pod's phase).</summary>
internal interface IObjectDefaulter
{
    void OnCreate(ResourceType type, JsonObject obj);
}
