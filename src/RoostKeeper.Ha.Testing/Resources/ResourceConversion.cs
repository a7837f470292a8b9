using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Testing.Resources;

/// <summary>
/// A kind served from another kind's storage and converted on the way in and out, as the API server
/// serves <c>events.k8s.io/v1</c> Events from the same store as core/v1 Events.
/// </summary>
/// <param name="StoredAs">The kind whose objects are stored.</param>
/// <param name="ToStored">This kind's object as the stored kind's.</param>
/// <param name="FromStored">A stored object as this kind's.</param>
/// <param name="FieldLabels">This kind's field labels, each mapped to the stored kind's label.</param>
internal sealed record ResourceConversion(
    ResourceType StoredAs,
    Func<JsonObject, JsonObject> ToStored,
    Func<JsonObject, JsonObject> FromStored,
    IReadOnlyDictionary<string, string> FieldLabels);
