using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Admission.Kinds;

/// <summary>
/// Namespaces: names are DNS-1123 labels; the <c>kubernetes.io/metadata.name</c> label always equals the name
/// (core/v1 defaulting), and a new namespace gets the <c>kubernetes</c> finalizer in its spec (the strategy's
/// PrepareForCreate), which an update cannot change.
/// </summary>
internal sealed class NamespaceAdmission : KindAdmission
{
    public override NameRules.NameRule NameRule => NameRules.Dns1123Label;

    public override void Default(JsonObject obj, AdmissionContext context)
    {
        var metadata = ObjectMeta.Of(obj);
        JsonFields.Object(metadata, "labels")["kubernetes.io/metadata.name"] = ObjectMeta.Name(obj);
        if (context.IsCreate)
        {
            JsonFields.Object(obj, "spec")["finalizers"] = new JsonArray("kubernetes");
        }
        else
        {
            // Only the finalize subresource changes spec.finalizers; an update keeps the stored ones.
            var finalizers = context.Old?["spec"]?["finalizers"]?.DeepClone();
            if (finalizers is null)
            {
                (obj["spec"] as JsonObject)?.Remove("finalizers");
            }
            else
            {
                JsonFields.Object(obj, "spec")["finalizers"] = finalizers;
            }
        }
    }
}
