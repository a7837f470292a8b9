using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Admission.Schema;

namespace RoostKeeper.Ha.Testing.Admission.Kinds;

/// <summary>
/// A custom resource of one served version: pruned and defaulted by its structural schema, then validated
/// against it (<see cref="SchemaValidator"/>). Made per request from the version's schema, so a CRD that
/// changes its schema takes effect at once, as on a real server.
/// </summary>
internal sealed class CustomResourceAdmission(JsonObject schema) : KindAdmission
{
    public override void Default(JsonObject obj, AdmissionContext context) => StructuralSchema.PruneAndDefault(obj, schema);

    public override void ValidateCreate(JsonObject obj, FieldErrors errors) => SchemaValidator.Validate(obj, schema, errors);
}
