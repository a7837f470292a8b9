using k8s.Models;

namespace RoostKeeper.Ha.TestUtilities;

/// <summary>
/// The ManagedRoost CustomResourceDefinition the tests install (<c>managedroosts.roost.birb.party</c>, v1alpha1):
/// namespaced, spec and status kept as written, a status subresource. The sample ships the real one
/// (samples/RoostKeeper.Ha.Sample/crd); these tests need only its shape.
/// </summary>
public static class ManagedRoostCrd
{
    public const string Group = "roost.birb.party";
    public const string Version = "v1alpha1";
    public const string Plural = "managedroosts";
    public const string Name = $"{Plural}.{Group}";
    public const string Kind = "ManagedRoost";

    /// <summary>The definition, with <paramref name="shortNames"/> if any (e.g. <c>mroost</c>).</summary>
    public static V1CustomResourceDefinition Definition(params string[] shortNames)
    {
        var preserve = new V1JSONSchemaProps { Type = "object", XKubernetesPreserveUnknownFields = true };
        return new V1CustomResourceDefinition
        {
            Metadata = new V1ObjectMeta { Name = Name },
            Spec = new V1CustomResourceDefinitionSpec
            {
                Group = Group,
                Scope = "Namespaced",
                Names = new V1CustomResourceDefinitionNames
                {
                    Plural = Plural,
                    Singular = "managedroost",
                    Kind = Kind,
                    ListKind = Kind + "List",
                    ShortNames = shortNames.Length == 0 ? null : shortNames,
                },
                Versions =
                [
                    new V1CustomResourceDefinitionVersion
                    {
                        Name = Version,
                        Served = true,
                        Storage = true,
                        Subresources = new V1CustomResourceSubresources { Status = new object() },
                        Schema = new V1CustomResourceValidation
                        {
                            OpenAPIV3Schema = new V1JSONSchemaProps
                            {
                                Type = "object",
                                Properties = new Dictionary<string, V1JSONSchemaProps> { ["spec"] = preserve, ["status"] = preserve },
                            },
                        },
                    },
                ],
            },
        };
    }
}
