using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Recovery.Resources;

/// <summary>One page of a paged list: its objects (with apiVersion and kind set) and the continue token, if more follow.</summary>
internal sealed record ResourcePage(IReadOnlyList<JsonObject> Items, string? Continue);
