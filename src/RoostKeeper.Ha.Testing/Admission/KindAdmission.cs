using System.Text.Json.Nodes;

namespace RoostKeeper.Ha.Testing.Admission;

/// <summary>
/// What the API server does to one kind on write, before it stores it: its defaulters (run on every object
/// it decodes, so on updates and patches too) and its strategy's validation. Register one per kind with
/// <c>AdmissionChain.Register</c>; a new kind is a registration, not an edit across the store.
/// </summary>
internal abstract class KindAdmission
{
    /// <summary>The kind's object-name rule; DNS-1123 subdomain unless the kind says otherwise.</summary>
    public virtual NameRules.NameRule NameRule => NameRules.Dns1123Subdomain;

    /// <summary>Fills defaults into an incoming object (create, update, patch and apply alike).</summary>
    public virtual void Default(JsonObject obj, AdmissionContext context)
    {
    }

    /// <summary>Validates a new object (metadata is validated for every kind by <see cref="ObjectMetaValidation"/>).</summary>
    public virtual void ValidateCreate(JsonObject obj, FieldErrors errors)
    {
    }

    /// <summary>Validates a changed object against the stored one; by default as a new object.</summary>
    public virtual void ValidateUpdate(JsonObject obj, JsonObject old, FieldErrors errors) => ValidateCreate(obj, errors);
}
