using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Controllers;

/// <summary>The controller ownerReference that ties a ReplicaSet to its Deployment, a Pod to its ReplicaSet.</summary>
internal static class ControllerReferences
{
    public static JsonObject To(ResourceType ownerType, JsonObject owner) => new()
    {
        ["apiVersion"] = ownerType.ApiVersion,
        ["kind"] = ownerType.Kind,
        ["name"] = ObjectMeta.Name(owner),
        ["uid"] = ObjectMeta.Uid(owner),
        ["controller"] = true,
        ["blockOwnerDeletion"] = true,
    };

    /// <summary>The key of the object of <paramref name="ownerType"/> that controls <paramref name="obj"/>, if any.</summary>
    public static IEnumerable<ObjectKey> ControllerKey(JsonObject obj, ResourceType ownerType)
    {
        var reference = (obj["metadata"]?["ownerReferences"] as JsonArray)?.OfType<JsonObject>()
            .FirstOrDefault(r => JsonFields.Bool(r["controller"]));
        if (reference is not null
            && JsonFields.String(reference["kind"]) == ownerType.Kind
            && JsonFields.String(reference["apiVersion"]) == ownerType.ApiVersion
            && JsonFields.String(reference["name"]) is { } name)
        {
            yield return new ObjectKey(ObjectMeta.Namespace(obj) ?? "", name);
        }
    }

    public static bool IsControlledBy(JsonObject obj, JsonObject owner) =>
        ObjectMeta.ControllerUid(obj) is { } uid && uid == ObjectMeta.Uid(owner);
}
