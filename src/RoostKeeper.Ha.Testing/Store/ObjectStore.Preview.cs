using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Patching;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Store;

/// <summary>Patches applied to the stored object without storing, admitting or validating it.</summary>
internal sealed partial class ObjectStore
{
    /// <summary>
    /// The stored object with the patch applied, as the request sent it: before pruning and defaulting, which is
    /// what field validation must see (an unknown field is reported before the schema prunes it).
    /// </summary>
    public JsonNode? PreviewPatch(ResourceType type, string? ns, string name, PatchKind kind, JsonNode? patch)
    {
        lock (_gate)
        {
            return ApplyPatch(Find(type, ns, name), kind, patch);
        }
    }

    private static JsonNode? ApplyPatch(JsonObject existing, PatchKind kind, JsonNode? patch) => kind switch
    {
        PatchKind.Merge => JsonMergePatch.Apply(existing, patch),
        PatchKind.StrategicMerge => StrategicMergePatch.Apply(existing, patch),
        PatchKind.Json => JsonPatch.Apply(existing, patch),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
