using System.Text.Json.Nodes;
using RoostKeeper.Ha.Testing.Admission.Kinds;
using RoostKeeper.Ha.Testing.Resources;

namespace RoostKeeper.Ha.Testing.Admission;

/// <summary>
/// The admission stage of the simulated API server: per kind (by group and plural, so every version of a
/// resource shares it), the defaulting and validation registered for it, then the metadata validation every
/// kind gets. The store calls it on every create and update (patches and applies included) under its lock,
/// before it compares and commits, so a refused write changes nothing.
/// </summary>
internal sealed class AdmissionChain
{
    private static readonly KindAdmission Plain = new PlainAdmission();
    private readonly Dictionary<(string Group, string Plural), KindAdmission> _kinds = [];

    /// <summary>The chain with every built-in kind the simulator defaults or validates.</summary>
    public static AdmissionChain BuiltIn()
    {
        var chain = new AdmissionChain();
        BuiltInAdmission.RegisterAll(chain);
        return chain;
    }

    public void Register(string group, string plural, KindAdmission admission) => _kinds[(group, plural)] = admission;

    public void Register(ResourceType type, KindAdmission admission) => Register(type.Group, type.Plural, admission);

    /// <summary>The kind's registered admission; a custom resource's comes from its version's schema.</summary>
    public KindAdmission For(ResourceType type) =>
        type.IsCustom && type.Schema is { } schema ? new CustomResourceAdmission(schema) : _kinds.GetValueOrDefault(type.StorageKey, Plain);

    /// <summary>Defaults and validates a new object; throws 422 Invalid with every error found.</summary>
    public void AdmitCreate(ResourceType type, JsonObject obj, AdmissionContext context)
    {
        var kind = For(type);
        kind.Default(obj, context);
        var errors = new FieldErrors();
        ObjectMetaValidation.ValidateCreate(obj, kind.NameRule, errors);
        kind.ValidateCreate(obj, errors);
        errors.ThrowIfAny(type, ObjectMeta.Name(obj));
    }

    /// <summary>Defaults and validates a changed object against the stored one; throws 422 Invalid.</summary>
    public void AdmitUpdate(ResourceType type, JsonObject obj, JsonObject old, AdmissionContext context)
    {
        var kind = For(type);
        kind.Default(obj, context);
        var errors = new FieldErrors();
        ObjectMetaValidation.ValidateUpdate(obj, old, errors);

        // The binding registry writes the pod's nodeName itself, past the pod strategy's update validation.
        if (context.Subresource != "binding")
        {
            kind.ValidateUpdate(obj, old, errors);
        }

        errors.ThrowIfAny(type, ObjectMeta.Name(obj));
    }

    /// <summary>A kind with nothing of its own: metadata validation only.</summary>
    private sealed class PlainAdmission : KindAdmission;
}
