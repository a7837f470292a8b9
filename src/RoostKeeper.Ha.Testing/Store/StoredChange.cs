using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Store;

/// <summary>An entry of the store's change history, replayed to watchers that start from a resourceVersion.</summary>
internal sealed record StoredChange(long ResourceVersion, string Type, ResourceType ResourceType, JsonObject? Before, JsonObject After);
