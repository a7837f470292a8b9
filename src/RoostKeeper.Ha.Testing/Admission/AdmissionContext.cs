using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Admission;

/// <summary>
/// What a kind's admission may look at besides the object: the stored objects of a type (under the store's
/// lock, e.g. to allocate a free cluster IP), the stored object an update replaces, and the clock.
/// </summary>
internal sealed class AdmissionContext(Func<ResourceType, IEnumerable<JsonObject>> stored, JsonObject? old, TimeProvider time, string name, string? subresource = null)
{
    /// <summary>The subresource written (<c>status</c>, <c>scale</c>, <c>binding</c>), or null for the object itself.</summary>
    public string? Subresource { get; } = subresource;

    /// <summary>The object's name, for the messages of errors found while defaulting.</summary>
    public string Name { get; } = name;

    /// <summary>The stored version of the object being updated; null on create.</summary>
    public JsonObject? Old { get; } = old;

    public bool IsCreate => Old is null;

    public TimeProvider Time { get; } = time;

    public IEnumerable<JsonObject> Stored(ResourceType type) => stored(type);
}
