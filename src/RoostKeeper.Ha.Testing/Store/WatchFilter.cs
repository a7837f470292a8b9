using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Store;

/// <summary>What a watch or a list selects: one resource, optionally one namespace, label and field selectors.</summary>
internal sealed record WatchFilter(ResourceType Type, string? Namespace, LabelSelector Labels, FieldSelector Fields)
{
    public static WatchFilter All(ResourceType type, string? ns = null) => new(type, ns, LabelSelector.Everything, FieldSelector.Everything);

    public bool Matches(ResourceType type, JsonObject obj) =>
        type.StorageKey == Type.StorageKey
        && (Namespace is null || ObjectMeta.Namespace(obj) == Namespace)
        && Labels.Matches(obj)
        && Fields.Matches(obj);
}
